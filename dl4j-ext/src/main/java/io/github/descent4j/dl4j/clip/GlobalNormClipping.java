package io.github.descent4j.dl4j.clip;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.dl4j.internal.ConfigJson;
import io.github.descent4j.dl4j.internal.FlatNetwork;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Clipping by global norm over every trained parameter of a Deeplearning4j {@code MultiLayerNetwork} or
 * {@code ComputationGraph}, with torch's {@code clip_grad_norm_} rule
 * ({@link io.github.descent4j.core.clip.GlobalNormClipping}), in front of whatever updaters the network has:
 * <pre>
 *   n = ‖g‖₂ over all trainable parameters, g the gradient the updaters would see (DL4J's minibatch mean)
 *   g ← g · maxNorm / (n + 1e-6)   when that factor is &lt; 1
 * </pre>
 * One line: {@code net.addListeners(GlobalNormClipping.maxNorm(1.0));}
 * <p>
 * DL4J's own {@code GradientNormalization} clips per layer or per parameter type, inside the updater; a norm over
 * the whole network cannot live in an updater block either, since DL4J splits the parameters into one block per
 * run of equal updater configurations. This listener therefore acts where the SAM listener does: in
 * {@code onGradientCalculation}, after backpropagation filled the flattened gradient view and before the
 * updaters read it. Variables DL4J never steps with an updater (BatchNorm's running mean and variance, whose
 * "gradient" entries hold the statistics update, and layers frozen by {@code FrozenLayer}) are neither measured
 * nor scaled; {@code FrozenLayerWithBackprop} zeroes its gradient, so it adds nothing. DL4J divides most
 * gradients by the minibatch size only later, inside the updater; the norm is of the divided gradient, exactly
 * what the updaters step with, and scaling commutes with that division. DL4J's per-layer gradient
 * normalisation, if also configured, runs afterwards on the clipped gradient.
 * <p>
 * Add it after {@code SharpnessAwareTraining} (listeners run in the order added) to clip SAM's second gradient.
 * The norm of every step is reported to {@link GlobalNormReport}s ({@link #reportTo}) and kept as
 * {@link #lastNorm()}. A gradient holding NaN or ±∞ raises {@link NonFiniteGradientException} before anything is
 * scaled. The configuration (maxNorm) is JSON ({@link #toJson()}) and {@link Serializable}; reporters and the last
 * values are not part of it.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class GlobalNormClipping extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;

    @JsonProperty("maxNorm")
    private final double maxNorm;

    private final transient List<GlobalNormReport> reports = new CopyOnWriteArrayList<>();
    private transient volatile double lastNorm = Double.NaN;
    private transient volatile double lastCoefficient = Double.NaN;
    private transient volatile long clippedSteps;

    /**
     * For Kryo (Spark's serialiser), which skips transient fields and readResolve: its default instantiation calls
     * this, so the transient state starts as a fresh listener's, and then sets maxNorm.
     */
    private GlobalNormClipping() {
        this.maxNorm = 1.0;
    }

    @JsonCreator
    private GlobalNormClipping(@JsonProperty("maxNorm") double maxNorm) {
        this.maxNorm = Check.positive("maxNorm", maxNorm);
    }

    /**
     * @param maxNorm the largest global norm let through unchanged, finite and &gt; 0
     */
    public static GlobalNormClipping maxNorm(double maxNorm) {
        return new GlobalNormClipping(maxNorm);
    }

    /** Adds a receiver of every step's norm; returns this listener. */
    public GlobalNormClipping reportTo(GlobalNormReport report) {
        reports.add(Objects.requireNonNull(report, "report"));
        return this;
    }

    @Override
    public void onGradientCalculation(Model model) {
        FlatNetwork network = FlatNetwork.of(model, "GlobalNormClipping");
        List<FlatNetwork.Variable> variables = network.variables();
        double batch = Math.max(1, FlatNetwork.minibatchSize(model));
        boolean miniBatch = model.conf().isMiniBatch();
        boolean whole = true;   // every variable trained and divided alike: one reduction over the flat view
        for (FlatNetwork.Variable v : variables) {
            whole &= v.trainable() && v.dividedByMinibatch() == variables.get(0).dividedByMinibatch();
        }
        double norm;
        if (whole && !variables.isEmpty()) {
            double divisor = miniBatch && variables.get(0).dividedByMinibatch() ? batch : 1;
            norm = norm(network.gradients(), variables) / divisor;
        } else {
            double squared = 0;
            for (FlatNetwork.Variable v : variables) {
                if (v.trainable()) {
                    double n = norm(v.gradView(), List.of(v)) / (miniBatch && v.dividedByMinibatch() ? batch : 1);
                    squared += n * n;
                }
            }
            norm = Math.sqrt(squared);
        }
        double coef = io.github.descent4j.core.clip.GlobalNormClipping.coefficient(maxNorm, norm);
        if (coef != 1.0) {
            if (whole) {
                network.gradients().muli(coef);
            } else {
                for (FlatNetwork.Variable v : variables) {
                    if (v.trainable()) {
                        v.gradView().muli(coef);
                    }
                }
            }
            clippedSteps++;
        }
        lastNorm = norm;
        lastCoefficient = coef;
        for (GlobalNormReport report : reports) {
            report.onGlobalNorm(model, network.iteration(), network.epoch(), norm, coef);
        }
    }

    /** ‖a‖₂, refusing non-finite entries and rescaling when the reduction overflows. */
    private static double norm(INDArray a, List<FlatNetwork.Variable> variables) {
        double n = a.norm2Number().doubleValue();
        if (Double.isFinite(n)) {
            return n;
        }
        double largest = a.amaxNumber().doubleValue();
        if (!Double.isFinite(largest)) {
            for (FlatNetwork.Variable v : variables) {
                double[] values = v.gradView().toDoubleVector();
                for (int i = 0; i < values.length; i++) {
                    if (!Double.isFinite(values[i])) {
                        throw new NonFiniteGradientException(variables.indexOf(v), "[" + i + "]", values[i],
                                v.describe() + "; nothing was clipped");
                    }
                }
            }
        }
        return largest * a.div(largest).norm2Number().doubleValue();
    }

    /** The bound. */
    public double getMaxNorm() {
        return maxNorm;
    }

    /** The global norm before clipping of the latest step (NaN before the first). */
    public double lastNorm() {
        return lastNorm;
    }

    /** The factor the latest step's gradient was multiplied by (1 when not clipped; NaN before the first). */
    public double lastCoefficient() {
        return lastCoefficient;
    }

    /** How many steps were clipped so far. */
    public long clippedSteps() {
        return clippedSteps;
    }

    /** This configuration as JSON, e.g. {@code {"maxNorm":1.0}}. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads {@link #toJson()}'s form.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException for a bad maxNorm
     */
    public static GlobalNormClipping fromJson(String json) {
        return ConfigJson.read(json, GlobalNormClipping.class);
    }

    private Object readResolve() {
        return new GlobalNormClipping(maxNorm);   // transient state starts afresh after Java deserialisation
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalNormClipping other && Double.compare(maxNorm, other.maxNorm) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(maxNorm);
    }

    @Override
    public String toString() {
        return "GlobalNormClipping(maxNorm=" + maxNorm + ")";
    }
}
