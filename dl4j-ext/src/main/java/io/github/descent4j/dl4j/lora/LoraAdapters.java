package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Adapter-only persistence: a small zip holding, per LoRA layer, its key (index in a MultiLayerNetwork, vertex name in a
 * ComputationGraph), name, rank, α and A and B, plus a SHA-256
 * of the frozen base weights (W and b of every LoRA layer, as doubles in row-major order), so adapters are loaded only
 * onto the base they were trained on. The file is a few (r·(nIn + nOut)) numbers per layer, not the whole network.
 */
public final class LoraAdapters {
    private static final String MANIFEST = "adapter.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraAdapters() {}

    /** Writes the adapters of {@code net} (its LoRA layers by index). */
    public static void save(MultiLayerNetwork net, OutputStream out) throws IOException {
        save(layers(net), out);
    }

    /** Writes the adapters of {@code graph} (its LoRA layers by vertex name). */
    public static void save(ComputationGraph graph, OutputStream out) throws IOException {
        save(layers(graph), out);
    }

    /** Loads adapters into {@code net}; see {@link #load(Map, InputStream)}. */
    public static void load(MultiLayerNetwork net, InputStream in) throws IOException {
        load(layers(net), in);
    }

    /** Loads adapters into {@code graph}, whose LoRA layer vertices must have the saved names. */
    public static void load(ComputationGraph graph, InputStream in) throws IOException {
        load(layers(graph), in);
    }

    /** The LoRA layers of a network by index. */
    private static Map<String, Layer> layers(MultiLayerNetwork net) {
        Map<String, Layer> out = new LinkedHashMap<>();
        for (int i : Lora.loraLayers(net.getLayerWiseConfigurations())) {
            out.put(String.valueOf(i), net.getLayer(i));
        }
        return out;
    }

    /** The LoRA layers of a graph by vertex name, in topological order. */
    private static Map<String, Layer> layers(ComputationGraph graph) {
        Map<String, Layer> out = new LinkedHashMap<>();
        for (Layer l : graph.getLayers()) {
            if (l.conf().getLayer() instanceof LoraShape) {
                out.put(l.conf().getLayer().getLayerName(), l);
            }
        }
        return out;
    }

    private static void save(Map<String, Layer> loras, OutputStream out) throws IOException {
        if (loras.isEmpty()) {
            throw new IllegalArgumentException("the network has no LoRA layer, so there is no adapter to save");
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", "descent4j-lora-adapters/1");
        manifest.put("baseHash", baseHash(loras));
        ArrayNode layers = manifest.putArray("layers");
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, Layer> e : loras.entrySet()) {
                String i = e.getKey();
                Layer l = e.getValue();
                LoraShape conf = (LoraShape) l.conf().getLayer();
                ObjectNode entry = layers.addObject();
                entry.put("key", i);
                entry.put("name", l.conf().getLayer().getLayerName());
                entry.put("rank", conf.getRank());
                entry.put("alpha", conf.getAlpha());
                entry.put("nIn", conf.getNIn());
                entry.put("nOut", conf.getNOut());
                for (String key : List.of(LoraParamInitializer.A_KEY, LoraParamInitializer.B_KEY)) {
                    zip.putNextEntry(new ZipEntry("layer-" + i + "-" + key + ".bin"));
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    Nd4j.write(l.getParam(key).dup('c'), new DataOutputStream(bytes));
                    zip.write(bytes.toByteArray());
                    zip.closeEntry();
                }
            }
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            zip.closeEntry();
        }
    }

    /**
     * Loads adapters into LoRA layers of the same keys (index or vertex name), ranks, α and sizes, holding the base
     * weights the adapters were trained on.
     *
     * @throws IllegalArgumentException naming the mismatch (a different base: the hashes differ)
     */
    private static void load(Map<String, Layer> loras, InputStream in) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        if (!entries.containsKey(MANIFEST)) {
            throw new IllegalArgumentException("not a descent4j LoRA adapter file: no " + MANIFEST);
        }
        JsonNode manifest = JSON.readTree(entries.get(MANIFEST));
        JsonNode layers = manifest.path("layers");
        if (layers.size() != loras.size()) {
            throw new IllegalArgumentException("the adapters hold " + layers.size() + " LoRA layers, the network has " + loras.size());
        }
        for (JsonNode entry : layers) {
            String i = entry.path("key").asText();
            if (!loras.containsKey(i)) {
                throw new IllegalArgumentException("the adapters are for layer " + i + ", which is not a LoRA layer here");
            }
            LoraShape conf = (LoraShape) loras.get(i).conf().getLayer();
            if (conf.getRank() != entry.path("rank").asInt() || Double.compare(conf.getAlpha(), entry.path("alpha").asDouble()) != 0
                    || conf.getNIn() != entry.path("nIn").asLong() || conf.getNOut() != entry.path("nOut").asLong()) {
                throw new IllegalArgumentException("layer " + i + ": the adapter has rank " + entry.path("rank") + ", alpha "
                        + entry.path("alpha") + ", " + entry.path("nIn") + "→" + entry.path("nOut") + "; the network's has rank "
                        + conf.getRank() + ", alpha " + conf.getAlpha() + ", " + conf.getNIn() + "→" + conf.getNOut());
            }
        }
        String expected = manifest.path("baseHash").asText();
        String actual = baseHash(loras);
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException("the adapters were trained on a different base network (base weight hash "
                    + expected + ", this network's " + actual + ")");
        }
        for (JsonNode entry : layers) {
            String i = entry.path("key").asText();
            for (String key : List.of(LoraParamInitializer.A_KEY, LoraParamInitializer.B_KEY)) {
                byte[] bytes = entries.get("layer-" + i + "-" + key + ".bin");
                if (bytes == null) {
                    throw new IllegalArgumentException("the adapter file lacks " + key + " of layer " + i);
                }
                INDArray value = Nd4j.read(new DataInputStream(new ByteArrayInputStream(bytes)));
                loras.get(i).getParam(key).assign(value);
            }
        }
    }

    /** SHA-256 over the frozen W and b of the LoRA layers. */
    static String baseHash(Map<String, Layer> loras) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Layer> e : loras.entrySet()) {
                digest.update(("layer " + e.getKey()).getBytes(StandardCharsets.UTF_8));
                for (String key : List.of(LoraParamInitializer.WEIGHT_KEY, LoraParamInitializer.BIAS_KEY)) {
                    double[] values = e.getValue().getParam(key).dup('c').reshape(-1).toDoubleVector();
                    ByteBuffer buffer = ByteBuffer.allocate(8 * values.length);
                    for (double v : values) {
                        buffer.putDouble(v);
                    }
                    digest.update(buffer.array());
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
