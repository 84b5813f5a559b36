package io.github.descent4j.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word-level next-word prediction from plain text with a linear model on the previous words: the
 * language-model setting of Kunstner et al. (2024), "Heavy-tailed class imbalance and why Adam outperforms
 * gradient descent on language models", reduced to a sparse multiclass problem. Word frequencies in text
 * follow Zipf's law, so the classes (next words) are heavy-tailed imbalanced.
 * <p>
 * <b>Tokenisation</b> ({@link #tokenize}). The text is one stream; line breaks are ordinary separators. A
 * word is a maximal run of code points that are Unicode letters ({@link Character#isLetter(int)}), decimal
 * digits ({@link Character#isDigit(int)}) or the apostrophe U+0027; every other code point separates
 * words. Leading and trailing apostrophes are removed from each run and runs that become empty are
 * dropped, so {@code 'tis} gives {@code tis} and {@code don't} stays one word. Each word is then
 * lower-cased with {@link Locale#ROOT}. Runs are found before lower-casing, so lower-casing never splits a
 * word (for letters such as U+0130 whose lower case contains a combining mark).
 * <p>
 * <b>Vocabulary</b>. The V most frequent words, ties broken by {@link String#compareTo} (alphabetical by
 * UTF-16 code unit), get class ids 0..V−1 in that order, most frequent first; every other word is class
 * V, named {@value #UNKNOWN}. There are V+1 classes.
 * <p>
 * <b>Examples</b>. For every token position t ≥ k (k = context length) there is one example: its label is
 * id(word_t) and its features are the indicators of the k previous words, value 1.0 at index
 * (p−1)·(V+1) + id(word_{t−p}) for p = 1..k, which are already in ascending order. The dimension is
 * k·(V+1); feature (p−1)·(V+1) + j is named {@code w-p=word_j}, e.g. {@code w-1=the}, {@code w-2=<unk>}.
 * A text of T tokens gives T − k examples, in text order.
 */
public final class NextWordDataset {
    /** The name of the class (and vocabulary entry) that stands for every word outside the vocabulary. */
    public static final String UNKNOWN = "<unk>";

    private final SparseLabelledData data;
    private final List<String> vocabulary;
    private final int tokenCount;

    private NextWordDataset(SparseLabelledData data, List<String> vocabulary, int tokenCount) {
        this.data = data;
        this.vocabulary = vocabulary;
        this.tokenCount = tokenCount;
    }

    /**
     * Builds the dataset from {@code text}.
     *
     * @param vocabularySize V: ≥ 2 and at most the number of distinct words in the text
     * @param contextLength k ≥ 1; the text must have at least k+1 words
     */
    public static NextWordDataset fromText(String text, int vocabularySize, int contextLength) {
        return build(text, vocabularySize, contextLength, Integer.MAX_VALUE);
    }

    /**
     * As {@link #fromText(String, int, int)}, on the UTF-8 contents of {@code file}.
     *
     * @throws java.nio.file.NoSuchFileException when {@code file} does not exist
     */
    public static NextWordDataset fromFile(Path file, int vocabularySize, int contextLength) throws IOException {
        return fromFile(file, vocabularySize, contextLength, Integer.MAX_VALUE);
    }

    /**
     * As {@link #fromFile(Path, int, int)}, keeping only the first {@code maxExamples} examples. The
     * vocabulary and {@link #tokenCount()} still come from the whole file, so a prefix has the same
     * classes and features as the full dataset.
     *
     * @param maxExamples ≥ 1
     * @throws java.nio.file.NoSuchFileException when {@code file} does not exist
     */
    public static NextWordDataset fromFile(Path file, int vocabularySize, int contextLength, int maxExamples)
            throws IOException {
        if (maxExamples < 1) {
            throw new IllegalArgumentException("maxExamples must be >= 1, got " + maxExamples);
        }
        checkSizes(vocabularySize, contextLength);
        return build(Files.readString(file, StandardCharsets.UTF_8), vocabularySize, contextLength, maxExamples);
    }

    /** The words of {@code text} in order, tokenised as described in the class documentation. */
    public static List<String> tokenize(String text) {
        List<String> words = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int start = i;
            while (i < n && isWordChar(text.codePointAt(i))) {
                i += Character.charCount(text.codePointAt(i));
            }
            int from = start;
            int to = i;
            // Apostrophes inside a word are kept (don't), around it they are quotation marks.
            while (from < to && text.charAt(from) == '\'') {
                from++;
            }
            while (to > from && text.charAt(to - 1) == '\'') {
                to--;
            }
            if (from < to) {
                words.add(text.substring(from, to).toLowerCase(Locale.ROOT));
            }
            if (i == start) {
                i += Character.charCount(text.codePointAt(i));
            }
        }
        return words;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetter(cp) || Character.isDigit(cp) || cp == '\'';
    }

    private static void checkSizes(int vocabularySize, int contextLength) {
        if (vocabularySize < 2) {
            throw new IllegalArgumentException("vocabularySize must be ≥ 2, got " + vocabularySize);
        }
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be ≥ 1, got " + contextLength);
        }
    }

    private static NextWordDataset build(String text, int v, int k, int maxExamples) {
        checkSizes(v, k);
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("text contains no words");
        }
        if (tokens.size() < k + 1) {
            throw new IllegalArgumentException("text has " + tokens.size() + " words but contextLength = " + k
                    + " needs at least " + (k + 1) + " (k context words and one word to predict)");
        }
        List<String> vocabulary = vocabulary(tokens, v);
        Map<String, Integer> ids = new HashMap<>();
        for (int j = 0; j < v; j++) {
            ids.put(vocabulary.get(j), j);
        }
        int[] id = new int[tokens.size()];
        for (int t = 0; t < id.length; t++) {
            id[t] = ids.getOrDefault(tokens.get(t), v);
        }
        int width = v + 1;
        int n = Math.min(tokens.size() - k, maxExamples);
        int[][] indices = new int[n][];
        double[][] values = new double[n][];
        int[] labels = new int[n];
        for (int e = 0; e < n; e++) {
            int t = e + k;
            labels[e] = id[t];
            indices[e] = new int[k];
            values[e] = new double[k];
            for (int p = 1; p <= k; p++) {
                indices[e][p - 1] = (p - 1) * width + id[t - p];
                values[e][p - 1] = 1.0;
            }
        }
        List<String> featureNames = new ArrayList<>(k * width);
        for (int p = 1; p <= k; p++) {
            for (String word : vocabulary) {
                featureNames.add("w-" + p + "=" + word);
            }
        }
        SparseLabelledData data = new SparseLabelledData(k * width, indices, values, labels, vocabulary, featureNames);
        return new NextWordDataset(data, vocabulary, tokens.size());
    }

    /** The V most frequent words (ties alphabetical), then {@value #UNKNOWN}. */
    private static List<String> vocabulary(List<String> tokens, int v) {
        Map<String, Integer> counts = new HashMap<>();
        for (String w : tokens) {
            counts.merge(w, 1, Integer::sum);
        }
        if (v > counts.size()) {
            throw new IllegalArgumentException("vocabularySize must be at most the number of distinct words in the text ("
                    + counts.size() + "), got " + v);
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Collections.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<String> vocabulary = new ArrayList<>(v + 1);
        for (int j = 0; j < v; j++) {
            vocabulary.add(entries.get(j).getKey());
        }
        vocabulary.add(UNKNOWN);
        return List.copyOf(vocabulary);
    }

    /** The examples: V+1 classes, dimension k·(V+1), one row per token position t ≥ k (or the first maxExamples). */
    public SparseLabelledData data() {
        return data;
    }

    /** The class names: the V vocabulary words, most frequent first, then {@value #UNKNOWN} (V+1 entries). */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The number of words T in the whole text. */
    public int tokenCount() {
        return tokenCount;
    }
}
