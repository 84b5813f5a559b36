package io.github.descent4j.examples.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code search-index.json}: what {@code ./descent4j finetune --search --resume FILE} needs to continue a
 * stopped run — the search pairs, where their state files are, and every setting that shapes a search
 * trial (data, seed, pre-training, fine-tuning protocol, bounds, design, objective). A resume must repeat
 * those settings; only {@code --trials} may grow, and the evaluation's settings are free.
 */
final class SearchIndex {
    static final String FILE = "search-index.json";
    private static final String TASK = "finetune-search-index";

    private SearchIndex() {}

    /** The settings a search's trials depend on, by the option that sets them. */
    static Map<String, String> searchSettings(FinetuneSearchExperiment.Settings s, String data) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("--data", data);
        m.put("--search-seed", String.valueOf(s.searchSeed()));
        m.put("--pretrain-epochs", String.valueOf(s.pretrainEpochs()));
        m.put("--max-epochs", String.valueOf(s.maxEpochs()));
        m.put("--target", String.valueOf(s.target()));
        m.put("--lr", String.valueOf(s.learningRate()));
        m.put("--bounds", s.lowerMultiplier() + "," + s.upperMultiplier());
        m.put("--initial-design", String.valueOf(s.initialDesign()));
        m.put("--tolerance", String.valueOf(s.objective().tolerance()));
        m.put("--penalty", String.valueOf(s.objective().penalty()));
        return m;
    }

    static void write(Path dir, List<TaskPair> pairs, Map<String, String> settings) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", TASK);
        ArrayNode list = root.putArray("searchPairs");
        ObjectNode files = root.putObject("states");
        for (TaskPair p : pairs) {
            list.add(p.toString());
            files.put(p.toString(), dir.relativize(FinetuneSearchExperiment.stateFile(dir, p)).toString());
        }
        ObjectNode s = root.putObject("settings");
        settings.forEach(s::put);
        ReportFiles.write(dir, d -> ReportFiles.writeJson(d, FILE, root));
    }

    /** Checks the index of the run to resume against this run; returns the directory holding its states. */
    static Path checkResume(Path index, List<TaskPair> pairs, Map<String, String> settings) {
        if (!Files.isRegularFile(index)) {
            throw new UsageException("--resume: " + index + " does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new UsageException("--resume: " + index + " is not readable JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !TASK.equals(root.path("task").asText())) {
            throw new UsageException("--resume: " + index + " is not a " + FILE + " written by ./descent4j finetune --search");
        }
        List<String> saved = new ArrayList<>();
        root.path("searchPairs").forEach(n -> saved.add(n.asText()));
        List<String> now = pairs.stream().map(TaskPair::toString).toList();
        if (!saved.equals(now)) {
            throw new UsageException("--resume: " + index + " holds searches on " + saved + ", not " + now
                    + "; pass the same --search-pairs");
        }
        JsonNode savedSettings = root.path("settings");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String was = savedSettings.path(e.getKey()).asText(null);
            if (!e.getValue().equals(was)) {
                throw new UsageException("--resume: " + index + " was searched with " + e.getKey() + " " + was
                        + ", this run has " + e.getValue() + "; resume with the same search settings (only --trials"
                        + " may grow)");
            }
        }
        Path dir = index.toAbsolutePath().getParent();
        for (TaskPair p : pairs) {
            if (!Files.isRegularFile(FinetuneSearchExperiment.stateFile(dir, p))) {
                throw new UsageException("--resume: the search state of " + p + " is missing: "
                        + FinetuneSearchExperiment.stateFile(dir, p));
            }
        }
        return dir;
    }
}
