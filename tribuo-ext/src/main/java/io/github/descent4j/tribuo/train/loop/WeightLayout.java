package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.Tensors;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;

/**
 * How one training run holds W, chosen from its training data so that the rows of every gradient are long and few:
 * <ul>
 *   <li>{@link #FEATURE_MAJOR} ({@link FeatureMajorLinearParameters}, {@code [features + 1, outputs]}) when any
 *       training example is sparse: an example's gradient {@code x̃ ⊗ r} is then one contiguous row per active
 *       feature, where Tribuo's layout needs one sparse row per output.</li>
 *   <li>{@link #OUTPUT_MAJOR} (Tribuo's {@link LinearParameters}, {@code [outputs, features + 1]}) when every
 *       training example is dense: the gradient is dense anyway, and few long rows (one per output) cost less per
 *       row than many short ones.</li>
 * </ul>
 * Both give the same scores bit for bit (the same products summed in the same feature order). The model and
 * {@code TrainingProgress.parameters()} always get Tribuo's layout.
 */
enum WeightLayout {
    FEATURE_MAJOR {
        @Override
        LinearParameters newParameters(int features, int outputs) {
            return new FeatureMajorLinearParameters(features, outputs);
        }

        @Override
        DenseVector scores(LinearParameters weights, SGDVector x) {
            return weights.predict(x);
        }

        @Override
        void addOuter(double[][] g, double[] r, double c, SGDVector x, double[] scratch) {
            for (int o = 0; o < r.length; o++) {
                scratch[o] = c * r[o];
            }
            if (x instanceof DenseVector dx) {
                double[] xe = TribuoTensors.elements(dx);
                for (int j = 0; j < xe.length; j++) {
                    addScaledRow(g[j], scratch, xe[j]);
                }
            } else {
                int[] xi = TribuoTensors.indices((SparseVector) x);
                double[] xv = TribuoTensors.values((SparseVector) x);
                for (int q = 0; q < xi.length; q++) {
                    addScaledRow(g[xi[q]], scratch, xv[q]);
                }
            }
        }

        @Override
        double innerProduct(double[][] g, double[] r, SGDVector x) {
            double sum = 0;
            if (x instanceof DenseVector dx) {
                double[] xe = TribuoTensors.elements(dx);
                for (int j = 0; j < xe.length; j++) {
                    if (xe[j] != 0) {
                        sum += xe[j] * rowDot(g[j], r);
                    }
                }
            } else {
                int[] xi = TribuoTensors.indices((SparseVector) x);
                double[] xv = TribuoTensors.values((SparseVector) x);
                for (int q = 0; q < xi.length; q++) {
                    sum += xv[q] * rowDot(g[xi[q]], r);
                }
            }
            return sum;
        }

        @Override
        LinearParameters toTribuoLayout(LinearParameters weights) {
            return ((FeatureMajorLinearParameters) weights).toTribuoLayout();
        }
    },

    OUTPUT_MAJOR {
        @Override
        LinearParameters newParameters(int features, int outputs) {
            return new LinearParameters(features + 1, outputs);
        }

        /** Read from W's raw rows: Tribuo's dense product goes through bounds-checked getters, its sparse one walks W by columns. */
        @Override
        DenseVector scores(LinearParameters weights, SGDVector x) {
            double[][] w = TribuoTensors.rows(weights.getWeightMatrix());
            double[] out = new double[w.length];
            if (x instanceof DenseVector dx) {
                double[] xe = TribuoTensors.elements(dx);
                for (int o = 0; o < w.length; o++) {
                    out[o] = Tensors.dot(w[o], xe, xe.length);
                }
            } else {
                int[] xi = TribuoTensors.indices((SparseVector) x);
                double[] xv = TribuoTensors.values((SparseVector) x);
                for (int o = 0; o < w.length; o++) {
                    double[] row = w[o];
                    double sum = 0;
                    for (int q = 0; q < xi.length; q++) {
                        sum += row[xi[q]] * xv[q];
                    }
                    out[o] = sum;
                }
            }
            return DenseVector.createDenseVector(out);
        }

        @Override
        void addOuter(double[][] g, double[] r, double c, SGDVector x, double[] scratch) {
            if (x instanceof DenseVector dx) {
                double[] xe = TribuoTensors.elements(dx);
                for (int o = 0; o < r.length; o++) {
                    double coefficient = c * r[o];
                    if (coefficient != 0) {
                        double[] row = g[o];
                        for (int j = 0; j < xe.length; j++) {
                            row[j] += coefficient * xe[j];
                        }
                    }
                }
            } else {
                int[] xi = TribuoTensors.indices((SparseVector) x);
                double[] xv = TribuoTensors.values((SparseVector) x);
                for (int o = 0; o < r.length; o++) {
                    double coefficient = c * r[o];
                    if (coefficient != 0) {
                        double[] row = g[o];
                        for (int q = 0; q < xi.length; q++) {
                            row[xi[q]] += coefficient * xv[q];
                        }
                    }
                }
            }
        }

        @Override
        double innerProduct(double[][] g, double[] r, SGDVector x) {
            double sum = 0;
            for (int o = 0; o < r.length; o++) {
                if (r[o] == 0) {
                    continue;
                }
                double gx;
                if (x instanceof DenseVector dx) {
                    gx = Tensors.dot(g[o], TribuoTensors.elements(dx), x.size());
                } else {
                    int[] xi = TribuoTensors.indices((SparseVector) x);
                    double[] xv = TribuoTensors.values((SparseVector) x);
                    gx = 0;
                    for (int q = 0; q < xi.length; q++) {
                        gx += g[o][xi[q]] * xv[q];
                    }
                }
                sum += r[o] * gx;
            }
            return sum;
        }

        @Override
        LinearParameters toTribuoLayout(LinearParameters weights) {
            return weights.copy();
        }
    };

    /** The layout for these training examples: feature-major if any is sparse. */
    static WeightLayout forTraining(PreparedExamples<?> data) {
        for (int i = 0; i < data.size(); i++) {
            if (data.features(i) instanceof SparseVector) {
                return FEATURE_MAJOR;
            }
        }
        return OUTPUT_MAJOR;
    }

    /** Zero weights in this layout for {@code features} features (plus the bias) and {@code outputs} outputs. */
    abstract LinearParameters newParameters(int features, int outputs);

    /** The scores {@code W x̃}, one per output. */
    abstract DenseVector scores(LinearParameters weights, SGDVector x);

    /**
     * {@code g += c · r ⊗ x̃} in this layout, each entry {@code (c·r_o)·x_j}; {@code scratch} holds one value per
     * output (overwritten).
     */
    abstract void addOuter(double[][] g, double[] r, double c, SGDVector x, double[] scratch);

    /** {@code Σ_{o,j} r_o G_{o,j} x_j} with G stored in this layout (a null feature-major row is zero). */
    abstract double innerProduct(double[][] g, double[] r, SGDVector x);

    /** A copy of the weights in Tribuo's layout {@code [outputs, features + 1]}. */
    abstract LinearParameters toTribuoLayout(LinearParameters weights);

    private static void addScaledRow(double[] row, double[] scaled, double xj) {
        if (xj == 0) {
            return;
        }
        for (int o = 0; o < scaled.length; o++) {
            row[o] += scaled[o] * xj;
        }
    }

    private static double rowDot(double[] row, double[] r) {
        if (row == null) {
            return 0;
        }
        double s = 0;
        for (int o = 0; o < r.length; o++) {
            s += row[o] * r[o];
        }
        return s;
    }
}
