package io.github.descent4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README and {@code docs/*.md} true to the code: every relative link points at an existing file, every
 * {@code io.github.descent4j.…} name, backticked or in a code sample, is a class (on the test classpath or as a
 * source file) or a package, and every backticked class name in the README's capability matrix exists and is the file it links to.
 * Each test fails with the full list of what is missing.
 */
class ReadmeReferencesTest {
    /** A backticked span; names are looked for inside it. */
    private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");
    /** A fully qualified descent4j name, possibly followed by {@code #member}. */
    private static final Pattern QUALIFIED = Pattern.compile("io\\.github\\.descent4j(?:\\.[A-Za-z_][A-Za-z0-9_]*)+");
    /** A Markdown link or image target: {@code ](target)}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    /** A matrix cell entry {@code [`Name`](path)}, or a bare backticked class name. */
    private static final Pattern MATRIX_LINK = Pattern.compile("\\[`([A-Z][A-Za-z0-9]*)`\\]\\(([^)\\s]+)\\)");
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");

    private static Path root;
    private static List<Path> documents;
    private static List<Path> sourceRoots;

    @BeforeAll
    static void findRepository() throws IOException {
        // Maven runs tests with the module as working directory; the property wins when a build passes it on.
        String property = System.getProperty("maven.multiModuleProjectDirectory");
        root = (property != null && !property.isBlank() ? Path.of(property) : Path.of("..")).toAbsolutePath().normalize();
        assertThat(root.resolve("README.md")).as("README.md in the repository root %s", root).isRegularFile();
        documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        assertThat(documents).as("README.md and docs/*.md").hasSizeGreaterThan(1);
        sourceRoots = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
                for (String set : new String[] {"main", "test"}) {
                    Path java = module.resolve("src").resolve(set).resolve("java");
                    if (Files.isDirectory(java)) {
                        sourceRoots.add(java);
                    }
                }
            }
        }
        assertThat(sourceRoots).as("module source roots").isNotEmpty();
    }

    @Test
    void everyRelativeLinkPointsAtAnExistingFile() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents) {
            Matcher m = LINK.matcher(read(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("#") || target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue;   // an anchor on the same page, or an absolute URL
                }
                int hash = target.indexOf('#');
                String file = hash >= 0 ? target.substring(0, hash) : target;
                checked++;
                if (!Files.exists(doc.getParent().resolve(file).normalize())) {
                    missing.add(root.relativize(doc) + ": " + target);
                }
            }
        }
        assertThat(checked).as("relative links found").isPositive();
        assertThat(missing).as("relative links to missing files (%d checked)", checked).isEmpty();
    }

    @Test
    void everyQualifiedNameIsAClassOrPackage() {
        Set<String> missing = new LinkedHashSet<>();
        int checked = 0;
        for (Path doc : documents) {
            String text = read(doc);
            List<String> spans = backtickedSpans(text);
            spans.add(fencedCode(text));   // imports and OLCUT type names in code samples count too
            for (String span : spans) {
                Matcher m = QUALIFIED.matcher(span);
                while (m.find()) {
                    checked++;
                    if (!resolvesQualified(m.group())) {
                        missing.add(root.relativize(doc) + ": " + m.group());
                    }
                }
            }
        }
        assertThat(checked).as("qualified names found").isPositive();
        assertThat(missing).as("qualified descent4j names that are neither a class nor a package (%d checked)", checked)
                .isEmpty();
    }

    @Test
    void everyClassInTheCapabilityMatrixExists() {
        List<String> table = capabilityMatrix();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String row : table) {
            Matcher link = MATRIX_LINK.matcher(row);
            while (link.find()) {
                String name = link.group(1);
                String target = link.group(2);
                if (!Path.of(target).getFileName().toString().equals(name + ".java")) {
                    missing.add(name + " links to " + target + ", not to " + name + ".java");
                }
            }
            for (String span : backtickedSpans(row)) {
                if (SIMPLE_NAME.matcher(span).matches()) {
                    checked++;
                    if (!hasSourceFile(span)) {
                        missing.add(span);
                    }
                }
            }
        }
        assertThat(checked).as("class names in the capability matrix").isGreaterThanOrEqualTo(10);
        assertThat(missing).as("capability-matrix classes without a source file (%d checked)", checked).isEmpty();
    }

    /** The rows of the README table whose header starts with {@code | capability |}. */
    private static List<String> capabilityMatrix() {
        List<String> lines = read(root.resolve("README.md")).lines().collect(Collectors.toList());
        List<String> rows = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.startsWith("| capability |")) {
                inside = true;
            } else if (inside && line.startsWith("|")) {
                rows.add(line);
            } else if (inside) {
                break;
            }
        }
        assertThat(rows).as("rows of the README's capability matrix").isNotEmpty();
        return rows;
    }

    /**
     * A name {@code io.github.descent4j.a.b.C.member} resolves when its class part (up to the first segment that
     * starts upper-case) loads or has a source file; a name with no upper-case segment must be a package, i.e. a
     * source directory.
     */
    private static boolean resolvesQualified(String name) {
        String[] segments = name.split("\\.");
        int classEnd = -1;
        for (int i = 0; i < segments.length; i++) {
            if (Character.isUpperCase(segments[i].charAt(0))) {
                classEnd = i;
                break;
            }
        }
        if (classEnd < 0) {
            Path relative = Path.of(String.join("/", segments));
            return sourceRoots.stream().anyMatch(r -> Files.isDirectory(r.resolve(relative)));
        }
        String className = String.join(".", java.util.Arrays.copyOfRange(segments, 0, classEnd + 1));
        try {
            Class.forName(className, false, ReadmeReferencesTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            Path relative = Path.of(className.replace('.', '/') + ".java");
            return sourceRoots.stream().anyMatch(r -> Files.isRegularFile(r.resolve(relative)));
        }
    }

    private static boolean hasSourceFile(String simpleName) {
        String file = simpleName + ".java";
        for (Path r : sourceRoots) {
            try (Stream<Path> files = Files.walk(r)) {
                if (files.anyMatch(p -> p.getFileName().toString().equals(file))) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    private static List<String> backtickedSpans(String text) {
        List<String> spans = new ArrayList<>();
        // Fenced code blocks are code, not prose; their backticks would pair up wrongly.
        StringBuilder prose = new StringBuilder();
        boolean fenced = false;
        for (String line : text.lines().collect(Collectors.toList())) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                prose.append(line).append('\n');
            }
        }
        Matcher m = BACKTICKED.matcher(prose);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    private static String fencedCode(String text) {
        StringBuilder code = new StringBuilder();
        boolean fenced = false;
        for (String line : text.lines().collect(Collectors.toList())) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
            } else if (fenced) {
                code.append(line).append('\n');
            }
        }
        return code.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
