package io.github.descent4j.dl4j.lora;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LoRA arithmetic shared by {@link LoraDenseLayer} and {@link LoraOutputLayer}, with s = α / r:
 * <pre>
 *   z += s (x̃ A) B                      (after z = x W + b)
 *   dB = s (x̃ A)ᵀ δ,   dA = s x̃ᵀ (δ Bᵀ)
 * </pre>
 */
final class LoraMath {
    private LoraMath() {}

    /** z ← z + s·(x̃ A) B. */
    static void addAdapter(INDArray adapterInput, INDArray a, INDArray b, double s, INDArray z) {
        INDArray xa = adapterInput.mmul(a);
        Nd4j.gemm(xa, b, z, false, false, s, 1.0);
    }

    /** Writes dA and dB into their gradient views; returns δ Bᵀ (for the input gradient). */
    static INDArray adapterGradients(INDArray adapterInput, INDArray a, INDArray b, double s, INDArray delta,
                                     INDArray gradA, INDArray gradB) {
        INDArray xa = adapterInput.mmul(a);
        INDArray deltaBt = delta.mmul(b.transpose());
        Nd4j.gemm(xa, delta, gradB, true, false, s, 0.0);
        Nd4j.gemm(adapterInput, deltaBt, gradA, true, false, s, 0.0);
        return deltaBt;
    }
}
