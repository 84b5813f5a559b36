package io.github.descent4j.dl4j.layerwise;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimiser state of every parameter variable of a DL4J network, captured from one updater block
 * layout and written into another.
 * <p>
 * DL4J runs one {@link GradientUpdater} per updater block, a run of consecutive parameter variables whose
 * updater configurations are equal, and lays the block's state out per state entry over the whole block
 * (Adam: {@code [M over all n | V over all n]}). Changing one layer's configuration therefore changes the
 * blocks and the layout of the updater state view array. This class takes each entry of
 * {@link GradientUpdater#getState()} apart by parameter variable (using the offsets of
 * {@link UpdaterBlock.ParamState}) and re-assembles it for the new blocks, so every variable keeps its own
 * moments whatever blocks it ends up in.
 * <p>
 * Entries are per-parameter (of the block's length) except the block-level header of descent4j's
 * {@link UpdateRuleGradientUpdater} (step counter and scalars such as AdaGrad-Norm's b²), which a new
 * block takes from the old block of its first variable: a split block keeps its step counter and
 * scalars in every part, and a merged block continues with those of its first part.
 */
final class UpdaterStateSnapshot {

    /** What one parameter variable had: its updater's class, its slice of each entry, its block's header. */
    private record Saved(Class<?> updaterClass, Map<String, INDArray> slices, Map<String, INDArray> blockLevel) {}

    private final Map<Trainable, Map<String, Saved>> byLayer = new IdentityHashMap<>();

    private UpdaterStateSnapshot() {}

    /** Copies the state of every variable out of {@code updater}'s blocks. */
    static UpdaterStateSnapshot capture(BaseMultiLayerUpdater<?> updater) {
        UpdaterStateSnapshot snapshot = new UpdaterStateSnapshot();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            GradientUpdater<?> gradientUpdater = block.getGradientUpdater();
            if (gradientUpdater == null) {
                continue;
            }
            long n = (long) block.getParamOffsetEnd() - block.getParamOffsetStart();
            Map<String, INDArray> perParameter = new LinkedHashMap<>();
            Map<String, INDArray> blockLevel = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> entry : stateOf(gradientUpdater, n).entrySet()) {
                INDArray flat = flatCopy(entry.getValue());
                if (isBlockLevel(gradientUpdater, entry.getKey())) {
                    blockLevel.put(entry.getKey(), flat);
                } else {
                    requireBlockLength(gradientUpdater, entry.getKey(), flat, n);
                    perParameter.put(entry.getKey(), flat);
                }
            }
            for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
                long from = (long) variable.getParamOffsetStart() - block.getParamOffsetStart();
                long to = (long) variable.getParamOffsetEnd() - block.getParamOffsetStart();
                Map<String, INDArray> slices = new HashMap<>();
                perParameter.forEach((key, flat) -> slices.put(key, flat.get(NDArrayIndex.interval(from, to)).dup()));
                snapshot.byLayer.computeIfAbsent(variable.getLayer(), layer -> new HashMap<>())
                        .put(variable.getParamName(), new Saved(gradientUpdater.getClass(), slices, blockLevel));
            }
        }
        return snapshot;
    }

    /**
     * Writes the captured state into a freshly built updater over the same layers, whose blocks may differ.
     * Variables without captured state keep the fresh updater's initial state.
     *
     * @throws IllegalStateException when a variable's updater changed algorithm since the capture
     */
    void restoreInto(BaseMultiLayerUpdater<?> updater) {
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            GradientUpdater<?> gradientUpdater = block.getGradientUpdater();
            if (gradientUpdater == null) {
                continue;
            }
            long n = (long) block.getParamOffsetEnd() - block.getParamOffsetStart();
            for (Map.Entry<String, INDArray> entry : stateOf(gradientUpdater, n).entrySet()) {
                String key = entry.getKey();
                INDArray target = entry.getValue();
                // Staged in a contiguous copy of the fresh values, then assigned back: the entry may be any view shape.
                INDArray staged = flatCopy(target);
                if (isBlockLevel(gradientUpdater, key)) {
                    for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
                        Saved saved = lookup(variable, gradientUpdater, key);
                        if (saved != null) {
                            INDArray header = saved.blockLevel().get(key);
                            if (header.length() != staged.length()) {
                                throw mismatch(variable, gradientUpdater, key, header.length(), staged.length());
                            }
                            staged.assign(header);
                            break;
                        }
                    }
                } else {
                    requireBlockLength(gradientUpdater, key, staged, n);
                    for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
                        Saved saved = lookup(variable, gradientUpdater, key);
                        if (saved != null) {
                            long from = (long) variable.getParamOffsetStart() - block.getParamOffsetStart();
                            long to = (long) variable.getParamOffsetEnd() - block.getParamOffsetStart();
                            INDArray slice = saved.slices().get(key);
                            if (slice.length() != to - from) {
                                throw mismatch(variable, gradientUpdater, key, slice.length(), to - from);
                            }
                            staged.get(NDArrayIndex.interval(from, to)).assign(slice);
                        }
                    }
                }
                target.assign(staged.reshape('c', target.shape()));
            }
        }
    }

    /** The captured state of a variable for an updater of the same algorithm, or null when none was captured. */
    private Saved lookup(UpdaterBlock.ParamState variable, GradientUpdater<?> gradientUpdater, String key) {
        Map<String, Saved> layer = byLayer.get(variable.getLayer());
        Saved saved = layer == null ? null : layer.get(variable.getParamName());
        if (saved == null) {
            return null;
        }
        if (saved.updaterClass() != gradientUpdater.getClass()
                || !(saved.slices().containsKey(key) || saved.blockLevel().containsKey(key))) {
            throw new IllegalStateException("parameter '" + variable.getParamName() + "' of layer '"
                    + variable.getLayer().getConfig().getLayerName() + "' was updated by " + saved.updaterClass().getSimpleName()
                    + " and is now updated by " + gradientUpdater.getClass().getSimpleName() + " (state entry '" + key
                    + "'): its state cannot be carried over");
        }
        return saved;
    }

    private static IllegalStateException mismatch(UpdaterBlock.ParamState variable, GradientUpdater<?> gradientUpdater,
                                                  String key, long had, long needs) {
        return new IllegalStateException("state entry '" + key + "' of " + gradientUpdater.getClass().getSimpleName()
                + " for parameter '" + variable.getParamName() + "' of layer '" + variable.getLayer().getConfig().getLayerName()
                + "' had " + had + " values and now needs " + needs);
    }

    /** The updater's named state entries for a block of n parameters (views of the updater state view array). */
    private static Map<String, INDArray> stateOf(GradientUpdater<?> gradientUpdater, long n) {
        if (gradientUpdater instanceof UpdateRuleGradientUpdater ours) {
            // Before its first step our updater cannot tell n from a multi-variable view: pass it.
            return ours.getState(n);
        }
        Map<String, INDArray> state = gradientUpdater.getState();
        return state == null ? Map.of() : state;
    }

    private static boolean isBlockLevel(GradientUpdater<?> gradientUpdater, String key) {
        return gradientUpdater instanceof UpdateRuleGradientUpdater && UpdateRuleGradientUpdater.HEADER.equals(key);
    }

    private static void requireBlockLength(GradientUpdater<?> gradientUpdater, String key, INDArray entry, long n) {
        if (entry.length() != n) {
            throw new IllegalStateException(gradientUpdater.getClass().getSimpleName() + " state entry '" + key + "' has "
                    + entry.length() + " values for an updater block of " + n + " parameters; only per-parameter"
                    + " entries (one value per parameter) can be laid out anew");
        }
    }

    /** A contiguous rank-1 copy, in the array's logical (row-major) element order. */
    private static INDArray flatCopy(INDArray array) {
        return array.dup('c').reshape('c', new long[]{array.length()});
    }
}
