package io.github.descent4j.examples.dropin;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The drop-in examples run as a user runs them and print both accuracies; both pipelines learn. */
class DropInExamplesTest {

    private static String run(Runnable main) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        String text = out.toString();
        original.print(text);
        return text;
    }

    @Test
    void theDl4jExampleTrainsBothPipelinesAndPrintsTheirAccuracy() {
        Dl4jDropIn.Result r = Dl4jDropIn.run(4);
        System.out.println("Dl4jDropIn (4 epochs): before " + r.before() + ", after " + r.after());
        assertThat(r.before()).as("DL4J Adam on digits").isGreaterThan(0.8);
        assertThat(r.after()).as("AdamW + warmup-cosine + clipping on digits").isGreaterThan(0.8);
        assertThat(run(() -> Dl4jDropIn.main(new String[]{"1"}))).contains("before").contains("after").contains("test accuracy");
    }

    @Test
    void theTribuoExampleTrainsFromCodeAndFromXmlIdentically() {
        TribuoDropIn.Result r = TribuoDropIn.run();
        assertThat(r.codeBefore()).as("AdaGrad").isGreaterThan(0.85);
        assertThat(r.codeAfter()).as("AdamW + warmup-cosine + clipping").isGreaterThan(0.85);
        // the XML files configure the same trainers as the code
        assertThat(r.xmlBefore()).isEqualTo(r.codeBefore());
        assertThat(r.xmlAfter()).isEqualTo(r.codeAfter());
        assertThat(run(() -> TribuoDropIn.main(new String[0]))).contains("XML   after").contains("test accuracy");
    }
}
