package io.github.descent4j.tribuo.decay;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.TestData;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.AdamW;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.common.sgd.FMParameters;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DecoupledWeightDecayTest {

    private static LinearParameters linear(double[][] w) {
        return new LinearParameters(DenseMatrix.createDenseMatrix(w));
    }

    private static double[][] values(LinearParameters p) {
        DenseMatrix m = p.getWeightMatrix();
        double[][] out = new double[m.getDimension1Size()][m.getDimension2Size()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }

    /** One Tribuo step: the optimiser gets −∇ℓ and Parameters.update adds what it returns. */
    private static void step(StochasticGradientOptimiser o, Parameters p, double[][] lossGradient, double weight) {
        double[][] negated = new double[lossGradient.length][];
        for (int i = 0; i < negated.length; i++) {
            negated[i] = lossGradient[i].clone();
            for (int j = 0; j < negated[i].length; j++) {
                negated[i][j] = -negated[i][j];
            }
        }
        p.update(o.step(new Tensor[]{DenseMatrix.createDenseMatrix(negated)}, weight));
    }

    @ParameterizedTest(name = "excludeBias={0}")
    @CsvSource({"true", "false"})
    void sgdStepMatchesHandComputation(boolean excludeBias) {
        double lr = 0.1, lambda = 0.2, weight = 0.5;
        double[][] theta = {{1.0, -2.0, 3.0}, {0.5, 4.0, -1.5}};
        double[][] grad = {{0.3, -0.7, 0.2}, {-0.1, 0.0, 0.9}};
        LinearParameters p = linear(theta);
        DecoupledWeightDecay o = new DecoupledWeightDecay(SGD.getSimpleSGD(lr), lr, lambda, excludeBias);
        o.initialise(p);
        step(o, p, grad, weight);
        double[][] got = values(p);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                boolean bias = j == 2;
                double decay = bias && excludeBias ? 0 : lr * weight * lambda * theta[i][j];
                double expected = theta[i][j] - lr * weight * grad[i][j] - decay;
                assertThat(got[i][j]).as("θ[%d][%d]", i, j).isCloseTo(expected, within(1e-15));
            }
        }
    }

    @Test
    void overAdamWithoutBiasExclusionIsExactlyAdamW() {
        SplittableRandom rng = new SplittableRandom(7);
        double[][] theta = new double[3][5];
        for (double[] row : theta) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextDouble(-2, 2);
            }
        }
        double lr = 0.05, lambda = 0.3;
        LinearParameters viaWrapper = linear(theta);
        LinearParameters viaAdamW = linear(theta);
        LinearParameters viaL2 = linear(theta);
        DecoupledWeightDecay wrapper = new DecoupledWeightDecay(new Adam(lr, 0.8, 0.99, 1e-7), lr, lambda, false);
        AdamW adamW = new AdamW(lr, 0.8, 0.99, 1e-7, lambda);
        Adam adamL2 = new Adam(lr, 0.8, 0.99, 1e-7);
        wrapper.initialise(viaWrapper);
        adamW.initialise(viaAdamW);
        adamL2.initialise(viaL2);
        for (int s = 0; s < 20; s++) {
            double[][] g = new double[3][5];
            for (double[] row : g) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = rng.nextDouble(-1, 1);
                }
            }
            double weight = s % 3 == 0 ? 0.7 : 1.0;
            step(wrapper, viaWrapper, g, weight);
            step(adamW, viaAdamW, g, weight);
            double[][] l2 = values(viaL2);
            double[][] withL2 = new double[3][5];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    withL2[i][j] = g[i][j] + lambda * l2[i][j];
                }
            }
            step(adamL2, viaL2, withL2, weight);
        }
        double[][] wrapped = values(viaWrapper);
        double[][] fused = values(viaAdamW);
        double[][] l2 = values(viaL2);
        double largestL2Difference = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(wrapped[i]).as("row %d", i).containsExactly(fused[i]);
            for (int j = 0; j < 5; j++) {
                largestL2Difference = Math.max(largestL2Difference, Math.abs(wrapped[i][j] - l2[i][j]));
            }
        }
        // Adam divides the L2 gradient by √v: it is not the decoupled decay.
        assertThat(largestL2Difference).isGreaterThan(1e-2);
    }

    @Test
    void overPlainSgdDecayEqualsL2ThroughTheLoss() {
        double lr = 0.1, lambda = 0.4;
        double[][] theta = {{1.5, -0.5, 2.0}};
        LinearParameters decoupled = linear(theta);
        LinearParameters l2 = linear(theta);
        DecoupledWeightDecay wrapper = new DecoupledWeightDecay(SGD.getSimpleSGD(lr), lr, lambda, false);
        SGD sgd = SGD.getSimpleSGD(lr);
        wrapper.initialise(decoupled);
        sgd.initialise(l2);
        for (int s = 0; s < 5; s++) {
            double[][] g = {{0.2 * s, -0.1, 0.3}};
            step(wrapper, decoupled, g, 1.0);
            double[][] now = values(l2);
            step(sgd, l2, new double[][]{{g[0][0] + lambda * now[0][0], g[0][1] + lambda * now[0][1],
                    g[0][2] + lambda * now[0][2]}}, 1.0);
        }
        double[] a = values(decoupled)[0], b = values(l2)[0];
        for (int j = 0; j < 3; j++) {
            assertThat(a[j]).isCloseTo(b[j], within(1e-12));
        }
    }

    @Test
    void sparseGradientDecaysEveryWeightButTheBias() {
        double lr = 0.1, lambda = 0.5;
        double[][] theta = {{1.0, 2.0, 3.0, 4.0}, {-1.0, -2.0, -3.0, -4.0}};
        LinearParameters p = linear(theta);
        DecoupledWeightDecay o = new DecoupledWeightDecay(new AdaGrad(lr, 1e-6), lr, lambda);
        o.initialise(p);
        // −∇ℓ on feature 1 and the bias (column 3) only
        SparseVector row0 = SparseVector.createSparseVector(4, new int[]{1, 3}, new double[]{0.5, 0.25});
        SparseVector row1 = SparseVector.createSparseVector(4, new int[]{1, 3}, new double[]{-0.5, 1.0});
        Tensor[] update = o.step(new Tensor[]{new DenseSparseMatrix(List.of(row0, row1))}, 1.0);
        assertThat(update[0]).isInstanceOf(DenseMatrix.class);
        p.update(update);
        double[][] got = values(p);
        double decay = lr * lambda;
        for (int i = 0; i < 2; i++) {
            assertThat(got[i][0]).as("absent feature 0 decays").isEqualTo(theta[i][0] - decay * theta[i][0]);
            assertThat(got[i][2]).as("absent feature 2 decays").isEqualTo(theta[i][2] - decay * theta[i][2]);
            // AdaGrad's first step moves a present coordinate by lr·g/(|g| + ε) ≈ ±lr
            assertThat(got[i][1]).isCloseTo(theta[i][1] - decay * theta[i][1] + Math.signum(i == 0 ? 0.5 : -0.5) * lr,
                    within(1e-5));
            assertThat(got[i][3]).as("bias: base step only").isCloseTo(theta[i][3] + lr, within(1e-5));
        }
    }

    @Test
    void factorizationMachineBiasVectorIsLeftAloneAndEveryOtherTensorDecays() {
        FMParameters p = new FMParameters(new SplittableRandom(3), 4, 2, 3, 0.5);
        Tensor[] tensors = p.get();
        ((DenseVector) tensors[0]).set(0, 1.5);
        ((DenseVector) tensors[0]).set(1, -0.5);
        ((DenseMatrix) tensors[1]).set(1, 2, 0.75);
        Tensor[] before = new Tensor[tensors.length];
        for (int t = 0; t < tensors.length; t++) {
            before[t] = tensors[t].copy();
        }
        double lr = 0.2, lambda = 0.1;
        DecoupledWeightDecay o = new DecoupledWeightDecay(SGD.getSimpleSGD(lr), lr, lambda);
        o.initialise(p);
        p.update(o.step(p.getEmptyCopy(), 1.0));   // zero gradient: only the decay moves θ
        Tensor[] after = p.get();
        assertThat(((DenseVector) after[0]).toArray()).containsExactly(((DenseVector) before[0]).toArray());
        for (int t = 1; t < after.length; t++) {
            DenseMatrix b = (DenseMatrix) before[t], a = (DenseMatrix) after[t];
            for (int i = 0; i < b.getDimension1Size(); i++) {
                for (int j = 0; j < b.getDimension2Size(); j++) {
                    assertThat(a.get(i, j)).as("tensor %d [%d, %d]", t, i, j)
                            .isCloseTo(b.get(i, j) * (1 - lr * lambda), within(1e-15));
                }
            }
        }
    }

    @Test
    void unknownParameterLayoutIsRefusedUnlessEverythingDecays() {
        Parameters p = new ArrayParameters(new int[][]{{3}}, new double[][]{{1, 2, 3}});
        assertThatThrownBy(() -> new DecoupledWeightDecay(SGD.getSimpleSGD(0.1), 0.1, 0.1).initialise(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("excludeBias = false")
                .hasMessageContaining(ArrayParameters.class.getName());
        DecoupledWeightDecay all = new DecoupledWeightDecay(SGD.getSimpleSGD(0.1), 0.1, 0.1, false);
        all.initialise(p);
        p.update(all.step(p.getEmptyCopy(), 1.0));
        double[] got = ((DenseVector) p.get()[0]).toArray();
        for (int k = 0; k < 3; k++) {
            assertThat(got[k]).as("θ[%d], the last one too", k).isCloseTo((k + 1) * (1 - 0.1 * 0.1), within(1e-15));
        }
    }

    /**
     * Drop-in through Tribuo's own trainer on sparse digits (pixels that are 0 are absent): the decayed model still
     * classifies, its feature weights are smaller than without the decay, and its bias column is not shrunk to match.
     */
    @Test
    void sparseTrainingThroughTribuosTrainerShrinksFeatureWeightsOnly() {
        LabelledData[] digits = TestData.digits();
        var train = TribuoDatasets.classification(digits[0], "digits-train", true);
        var test = TribuoDatasets.classification(digits[1], "digits-test", true);
        LinearSGDModel plain = (LinearSGDModel) new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 1e-6), 3, -1, 1, 1L)
                .train(train);
        LinearSGDModel decayed = (LinearSGDModel) new LinearSGDTrainer(new LogMulticlass(),
                new DecoupledWeightDecay(new AdaGrad(0.1, 1e-6), 0.1, 1e-3), 3, -1, 1, 1L).train(train);
        double accuracy = new LabelEvaluator().evaluate(decayed, test).accuracy();
        DenseMatrix p = (DenseMatrix) plain.getWeightsCopy(), d = (DenseMatrix) decayed.getWeightsCopy();
        int bias = p.getDimension2Size() - 1;
        double plainFeatures = 0, decayedFeatures = 0, plainBias = 0, decayedBias = 0;
        for (int i = 0; i < p.getDimension1Size(); i++) {
            for (int j = 0; j < bias; j++) {
                plainFeatures += p.get(i, j) * p.get(i, j);
                decayedFeatures += d.get(i, j) * d.get(i, j);
            }
            plainBias += p.get(i, bias) * p.get(i, bias);
            decayedBias += d.get(i, bias) * d.get(i, bias);
        }
        System.out.printf("digits sparse decoupled decay: accuracy %.3f, feature norm %.3f -> %.3f, bias norm %.3f -> %.3f%n",
                accuracy, Math.sqrt(plainFeatures), Math.sqrt(decayedFeatures), Math.sqrt(plainBias), Math.sqrt(decayedBias));
        assertThat(accuracy).isGreaterThan(0.85);
        double featureRatio = Math.sqrt(decayedFeatures / plainFeatures);
        assertThat(featureRatio).isLessThan(0.9);
        assertThat(Math.sqrt(decayedBias / plainBias)).isGreaterThan(featureRatio);
    }

    @Test
    void invalidHyperparametersAreRejectedNamingTheParameter() {
        SGD base = SGD.getSimpleSGD(0.1);
        for (double bad : new double[]{0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new DecoupledWeightDecay(base, bad, 0.1))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("learningRate");
        }
        for (double bad : new double[]{-1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new DecoupledWeightDecay(base, 0.1, bad))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("weightDecay");
        }
        assertThatThrownBy(() -> new DecoupledWeightDecay(null, 0.1, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ConfigurationManager config(Path dir, String decayProperties) throws Exception {
        Path file = dir.resolve("decay.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "<component name=\"adagrad\" type=\"org.tribuo.math.optimisers.AdaGrad\">"
                + "<property name=\"initialLearningRate\" value=\"0.5\"/></component>\n"
                + "<component name=\"decay\" type=\"io.github.descent4j.tribuo.decay.DecoupledWeightDecay\">\n"
                + "<property name=\"base\" value=\"adagrad\"/>" + decayProperties + "\n</component>\n</config>\n");
        return new ConfigurationManager(file.toString());
    }

    @Test
    void configuredThroughOlcutRoundTripsAndRecordsEverySetting(@TempDir Path dir) throws Exception {
        DecoupledWeightDecay o = (DecoupledWeightDecay) config(dir, "<property name=\"learningRate\" value=\"0.5\"/>"
                + "<property name=\"weightDecay\" value=\"0.01\"/><property name=\"excludeBias\" value=\"false\"/>")
                .lookup("decay");
        assertThat(o.getLearningRate()).isEqualTo(0.5);
        assertThat(o.getWeightDecay()).isEqualTo(0.01);
        assertThat(o.isExcludeBias()).isFalse();
        ConfiguredObjectProvenance provenance = o.getProvenance();
        assertThat(provenance.getConfiguredParameters()).containsKeys("base", "learningRate", "weightDecay", "excludeBias");
        Helpers.testConfigurableRoundtrip(o);
        assertThat(o.copy().getProvenance()).isEqualTo(provenance);
        assertThat(o.toString()).contains("AdaGrad").contains("weightDecay=0.01");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"weightDecay,-0.5", "weightDecay,NaN", "learningRate,0", "learningRate,Infinity"})
    void invalidConfigurationIsRejectedNamingTheProperty(String property, String value, @TempDir Path dir) throws Exception {
        String other = property.equals("weightDecay") ? "learningRate" : "weightDecay";
        ConfigurationManager cm = config(dir, "<property name=\"" + property + "\" value=\"" + value + "\"/>"
                + "<property name=\"" + other + "\" value=\"0.1\"/>");
        assertThatThrownBy(() -> cm.lookup("decay")).isInstanceOf(PropertyException.class).hasMessageContaining(property);
    }
}
