package io.github.descent4j.core.spd;

/**
 * {@link ProjectionTarget} over plain {@code double[][]} tensors: θ (only read), the anchor θ₀, the loss gradient
 * g of this step, and the base optimiser's proposal θ̃ (written by {@link #shrinkTowardAnchor}). One instance
 * serves one step. The sums are plain left-to-right loops, the arithmetic of the authors' {@code adamSPD.py}
 * per tensor.
 */
final class FlatProjectionTarget implements ProjectionTarget {
    private final double[][] params;
    private final double[][] anchor;
    private final double[][] gradient;
    private double[][] proposed;

    /** Shapes are the caller's to check: every array is indexed like {@code params}. */
    FlatProjectionTarget(double[][] params, double[][] anchor, double[][] gradient) {
        this.params = params;
        this.anchor = anchor;
        this.gradient = gradient;
    }

    /** Sets θ̃, the proposal {@link SelectiveProjectionStep#finish} projects (its arrays are modified). */
    void propose(double[][] proposal) {
        this.proposed = proposal;
    }

    @Override
    public int tensorCount() {
        return params.length;
    }

    @Override
    public void conditionSums(int t, double[] out) {
        double[] p = params[t];
        double[] a = anchor[t];
        double[] g = gradient[t];
        double condition = 0;
        double current = 0;
        for (int i = 0; i < p.length; i++) {
            double offset = p[i] - a[i];
            condition -= g[i] * offset;
            current += offset * offset;
        }
        out[0] = condition;
        out[1] = current;
    }

    @Override
    public double proposedSquaredDistance(int t) {
        double[] q = proposed[t];
        double[] a = anchor[t];
        double next = 0;
        for (int i = 0; i < q.length; i++) {
            double offset = q[i] - a[i];
            next += offset * offset;
        }
        return next;
    }

    @Override
    public void shrinkTowardAnchor(int t, double shrink) {
        double[] q = proposed[t];
        double[] a = anchor[t];
        for (int i = 0; i < q.length; i++) {
            q[i] -= shrink * (q[i] - a[i]);
        }
    }
}
