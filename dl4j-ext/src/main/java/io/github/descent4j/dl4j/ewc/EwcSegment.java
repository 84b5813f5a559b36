package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIdentityInfo;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.ObjectIdGenerators;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The EWC data of one parameter array: its name (for messages, e.g. {@code 0_W}), its offset in the
 * network's flattened parameters, the diagonal Fisher F and the old-task optimum θ*, both in double on the
 * Java heap (never in an ND4J workspace).
 * <p>
 * JSON: {@code {"@id": k, "name": "0_W", "offset": o, "fisher": base64, "anchor": base64}}, the values as
 * little-endian IEEE doubles, so a round trip is bit-exact. As with SPD's {@code AnchorSegment}, the
 * {@code @id} makes a segment referenced from a layer's weight and bias lists be written once per document,
 * and Jackson builds it through setters because its creator path cannot resolve YAML's native object ids.
 */
@JsonIdentityInfo(generator = ObjectIdGenerators.IntSequenceGenerator.class, property = "@id")
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
final class EwcSegment implements Serializable {
    private static final long serialVersionUID = 1L;

    // Not final only for Jackson (setters, see the class comment); set once, checked by validated().
    private String name;
    private long offset = -1;
    private double[] fisher;
    private double[] anchor;

    /** For Jackson. */
    private EwcSegment() {}

    /**
     * @throws InvalidHyperparameterException naming {@code fisher} or {@code anchor} (with the parameter's name)
     *         when the arrays are missing, of different lengths, not finite, or F is negative
     */
    static EwcSegment of(String name, long offset, double[] fisher, double[] anchor) {
        EwcSegment s = new EwcSegment();
        s.name = name;
        s.offset = offset;
        s.fisher = fisher;
        s.anchor = anchor;
        return s.validated();
    }

    @JsonProperty("name")
    private void setName(String name) {
        this.name = name;
    }

    @JsonProperty("offset")
    private void setOffset(long offset) {
        this.offset = offset;
    }

    @JsonProperty("fisher")
    private void setFisher(byte[] bytes) {
        this.fisher = decode(bytes);
    }

    @JsonProperty("anchor")
    private void setAnchor(byte[] bytes) {
        this.anchor = decode(bytes);
    }

    @JsonProperty("name")
    String name() {
        return name;
    }

    @JsonProperty("offset")
    long offset() {
        return offset;
    }

    @JsonProperty("fisher")
    private byte[] fisherBytes() {
        return encode(fisher);
    }

    @JsonProperty("anchor")
    private byte[] anchorBytes() {
        return encode(anchor);
    }

    /** F, not a copy: never to be modified. */
    double[] fisher() {
        return fisher;
    }

    /** θ*, not a copy: never to be modified. */
    double[] anchor() {
        return anchor;
    }

    int length() {
        return fisher.length;
    }

    /** Checks a segment built in code or read from JSON. Idempotent. */
    synchronized EwcSegment validated() {
        String who = name == null ? "parameter at offset " + offset : "parameter " + name;
        if (offset < 0) {
            throw new InvalidHyperparameterException("offset", who + ": offset must be >= 0, got " + offset);
        }
        if (fisher == null) {
            throw new InvalidHyperparameterException("fisher", who + ": the diagonal Fisher is missing");
        }
        if (anchor == null) {
            throw new InvalidHyperparameterException("anchor", who + ": the anchor theta* is missing");
        }
        if (fisher.length != anchor.length) {
            throw new InvalidHyperparameterException("fisher", who + ": the Fisher has " + fisher.length
                    + " values but the anchor theta* has " + anchor.length);
        }
        for (int i = 0; i < fisher.length; i++) {
            if (!(fisher[i] >= 0) || Double.isInfinite(fisher[i])) {
                throw new InvalidHyperparameterException("fisher", who + ": Fisher values must be finite and >= 0, got "
                        + fisher[i] + " at index " + i);
            }
            if (!Double.isFinite(anchor[i])) {
                throw new InvalidHyperparameterException("anchor", who + ": anchor values must be finite, got "
                        + anchor[i] + " at index " + i);
            }
        }
        return this;
    }

    private static byte[] encode(double[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asDoubleBuffer().put(values);
        return out.array();
    }

    private static double[] decode(byte[] bytes) {
        if (bytes == null || bytes.length % Double.BYTES != 0) {
            throw new InvalidHyperparameterException("fisher", "EWC segment values must be whole little-endian doubles, got "
                    + (bytes == null ? "null" : bytes.length + " bytes"));
        }
        double[] d = new double[bytes.length / Double.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
        return d;
    }

    /** Same name, range and values, bit for bit. */
    boolean sameContent(EwcSegment other) {
        return other == this || (other != null && offset == other.offset && java.util.Objects.equals(name, other.name)
                && Arrays.equals(fisher, other.fisher) && Arrays.equals(anchor, other.anchor));
    }

    @Override
    public String toString() {
        return "EwcSegment(" + name + ", offset=" + offset + ", length=" + length() + ")";
    }
}
