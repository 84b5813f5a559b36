package io.github.descent4j.datasets;

import io.github.descent4j.core.imbalance.ClassFrequencyGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NextWordDatasetTest {
    // Tokens: the cat sat on the mat the cat ran (T = 9). Counts: the 3, cat 2, then mat, on, ran, sat 1 each.
    private static final String TEXT = "The cat sat on the\nmat. The cat ran!";

    @Test
    void tokenisationKeepsLettersDigitsAndInnerApostrophes() {
        assertThat(NextWordDataset.tokenize("Don't STOP, 'til the END!")).containsExactly("don't", "stop", "til", "the", "end");
        assertThat(NextWordDataset.tokenize("rock'n'roll 'quoted' '' ' ''a''")).containsExactly("rock'n'roll", "quoted", "a");
        assertThat(NextWordDataset.tokenize("abc123 4x4, 2024; v1.2")).containsExactly("abc123", "4x4", "2024", "v1", "2");
        assertThat(NextWordDataset.tokenize("hello-world_foo.bar\tbaz")).containsExactly("hello", "world", "foo", "bar", "baz");
        assertThat(NextWordDataset.tokenize("line1\nLINE2\r\nline3")).containsExactly("line1", "line2", "line3");
        assertThat(NextWordDataset.tokenize("Straße CAFÉ ٣٤")).containsExactly("straße", "café", "٣٤");
        // Runs are found before lower-casing, so U+0130 (lower case "i" + combining dot) does not split the word.
        assertThat(NextWordDataset.tokenize("İstanbul")).hasSize(1);
        assertThat(NextWordDataset.tokenize(" ... \n ")).isEmpty();
    }

    @Test
    void idsFeaturesAndUnknownWordsOnATinyText() {
        NextWordDataset ds = NextWordDataset.fromText(TEXT, 3, 2);
        // V = 3: the, cat, then the alphabetically first of the count-1 words; everything else is <unk> (3).
        assertThat(ds.vocabulary()).containsExactly("the", "cat", "mat", "<unk>");
        assertThat(ds.tokenCount()).isEqualTo(9);
        SparseLabelledData d = ds.data();
        assertThat(d.dimension()).isEqualTo(8);
        assertThat(d.classNames()).isEqualTo(ds.vocabulary());
        assertThat(d.featureNames()).containsExactly(
                "w-1=the", "w-1=cat", "w-1=mat", "w-1=<unk>", "w-2=the", "w-2=cat", "w-2=mat", "w-2=<unk>");
        // t = 2..8: sat on the mat the cat ran; features: previous word in [0, 4), the one before in [4, 8).
        assertThat(d.labels()).containsExactly(3, 3, 0, 2, 0, 1, 3);
        assertThat(d.indices()).isDeepEqualTo(new int[][]{{1, 4}, {3, 5}, {3, 7}, {0, 7}, {2, 4}, {0, 6}, {1, 4}});
        for (double[] row : d.values()) {
            assertThat(row).containsExactly(1.0, 1.0);
        }
        assertThat(d.classCounts()).containsExactly(2, 1, 1, 3);
    }

    @Test
    void contextOfOneWord() {
        SparseLabelledData d = NextWordDataset.fromText("a b a b a", 2, 1).data();
        // Vocabulary: a (3), b (2), <unk>; examples t = 1..4: b a b a.
        assertThat(d.labels()).containsExactly(1, 0, 1, 0);
        assertThat(d.indices()).isDeepEqualTo(new int[][]{{0}, {1}, {0}, {1}});
        assertThat(d.classCounts()).containsExactly(2, 2, 0);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> NextWordDataset.fromText(TEXT, 1, 2)).hasMessage("vocabularySize must be ≥ 2, got 1");
        assertThatThrownBy(() -> NextWordDataset.fromText(TEXT, 2, 0)).hasMessage("contextLength must be ≥ 1, got 0");
        assertThatThrownBy(() -> NextWordDataset.fromText("... !!! ''", 2, 1)).hasMessage("text contains no words");
        assertThatThrownBy(() -> NextWordDataset.fromText("one two", 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text has 2 words but contextLength = 2 needs at least 3");
        assertThatThrownBy(() -> NextWordDataset.fromText(TEXT, 7, 1))
                .hasMessage("vocabularySize must be at most the number of distinct words in the text (6), got 7");
    }

    @Test
    void fromFileReadsUtf8AndCanKeepAPrefix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, TEXT + " Café café");
        NextWordDataset full = NextWordDataset.fromFile(file, 3, 2);
        assertThat(full.tokenCount()).isEqualTo(11);
        // café and cat both occur twice: the tie goes to the alphabetically first ('f' < 't').
        assertThat(full.vocabulary()).containsExactly("the", "café", "cat", "<unk>");
        NextWordDataset prefix = NextWordDataset.fromFile(file, 3, 2, 3);
        assertThat(prefix.data().size()).isEqualTo(3);
        assertThat(prefix.vocabulary()).isEqualTo(full.vocabulary());
        assertThat(prefix.tokenCount()).isEqualTo(11);
        assertThat(prefix.data().labels()).containsExactly(Arrays.copyOf(full.data().labels(), 3));
        assertThat(prefix.data().indices()).isDeepEqualTo(full.data().head(3).indices());
        assertThat(NextWordDataset.fromFile(file, 3, 2, 1000).data().size()).isEqualTo(9);
        assertThatThrownBy(() -> NextWordDataset.fromFile(file, 3, 2, 0)).hasMessage("maxExamples must be >= 1, got 0");
        assertThatThrownBy(() -> NextWordDataset.fromFile(dir.resolve("absent.txt"), 3, 2)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void shakespeareNextWordClassesAreHeavyTailed() throws Exception {
        Path dir = Path.of(System.getProperty("descent4j.shared.data", "../../shared/data"));
        Path file = dir.resolve("tinyshakespeare.txt");
        assertThat(file).as("shared data file (set -Ddescent4j.shared.data)").exists();
        NextWordDataset ds = NextWordDataset.fromFile(file, 1000, 2);
        SparseLabelledData d = ds.data();
        assertThat(d.classCount()).isEqualTo(1001);
        assertThat(d.dimension()).isEqualTo(2002);
        assertThat(d.size()).isEqualTo(ds.tokenCount() - 2).isGreaterThan(150_000);
        assertThat(ds.vocabulary().get(0)).isEqualTo("the");
        int[] counts = d.classCounts();
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        int median = sorted[sorted.length / 2];
        assertThat(counts[0]).as("most frequent word vs the median class").isGreaterThan(100 * median);
        assertThat(counts[1000]).as("<unk> gathers the long tail").isEqualTo(sorted[sorted.length - 1]);
        // Three groups of equal mass: a handful of frequent classes, then ever more rare ones.
        ClassFrequencyGroups groups = ClassFrequencyGroups.fromLabels(d.labels(), d.classCount(), 3);
        assertThat(groups.classes(0).length * 50).isLessThan(groups.classes(2).length);
    }
}
