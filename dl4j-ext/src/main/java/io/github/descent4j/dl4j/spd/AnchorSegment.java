package io.github.descent4j.dl4j.spd;

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
 * An immutable run of anchor values θ₀ for {@link SelectiveProjectionDecay}: the anchor of the network's
 * flattened parameters {@code [offset, offset + length)}, held on the Java heap (never in an ND4J
 * workspace) in float or double precision, whichever holds the source values exactly.
 * <p>
 * JSON: {@code {"@id": k, "offset": o, "dataType": "FLOAT"|"DOUBLE", "values": base64}}, the values as
 * little-endian IEEE bytes, so a round trip is bit-exact and costs about 5.3 characters per float. The
 * {@code @id} lets one segment referenced by several configurations (DL4J copies a global regularisation
 * into every layer, twice) be written once per document and read back as one shared object.
 */
@JsonIdentityInfo(generator = ObjectIdGenerators.IntSequenceGenerator.class, property = "@id")
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
final class AnchorSegment implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String FLOAT = "FLOAT";
    static final String DOUBLE = "DOUBLE";

    // Not final only for Jackson, which must build a segment through setters: its creator-based path cannot
    // resolve YAML's native object ids (&1 / *1). Set once, never changed after validated().
    private long offset;
    /** Exactly one of {@link #floats} and {@link #doubles} is non-null once decoded. */
    private float[] floats;
    private double[] doubles;
    /** As read from JSON, decoded by {@link #validated()}. */
    private transient String jsonDataType;
    private transient byte[] jsonValues;

    /** For Jackson. */
    private AnchorSegment() {}

    private AnchorSegment(long offset, float[] floats, double[] doubles) {
        this.offset = offset;
        this.floats = floats;
        this.doubles = doubles;
    }

    /** A segment of given values (not copied); captured parameters are taken as they are. */
    static AnchorSegment ofFloats(long offset, float[] values) {
        return new AnchorSegment(offset, values, null);
    }

    /** A segment of given values (not copied); captured parameters are taken as they are. */
    static AnchorSegment ofDoubles(long offset, double[] values) {
        return new AnchorSegment(offset, null, values);
    }

    @JsonProperty("offset")
    private void setOffset(long offset) {
        this.offset = offset;
    }

    @JsonProperty("dataType")
    private void setDataType(String dataType) {
        this.jsonDataType = dataType;
    }

    @JsonProperty("values")
    private void setValues(byte[] values) {
        this.jsonValues = values;
    }

    /**
     * Decodes a segment read from JSON and checks a user-supplied one (explicit or read from JSON): a
     * non-negative offset, a known data type, finite values. Idempotent.
     *
     * @throws InvalidHyperparameterException naming {@code anchor}
     */
    synchronized AnchorSegment validated() {
        if (floats == null && doubles == null) {
            decode();
        }
        if (offset < 0) {
            throw new InvalidHyperparameterException("anchor", "anchor segment offset must be >= 0, got " + offset);
        }
        long at = firstNonFinite();
        if (at >= 0) {
            throw new InvalidHyperparameterException("anchor", "anchor values must be finite numbers, got "
                    + value(at) + " at index " + (offset + at));
        }
        return this;
    }

    private void decode() {
        byte[] values = jsonValues;
        String dataType = jsonDataType;
        if (values == null) {
            throw new InvalidHyperparameterException("anchor", "anchor segment has no 'values'");
        }
        ByteBuffer bytes = ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN);
        if (FLOAT.equals(dataType) && values.length % Float.BYTES == 0) {
            float[] f = new float[values.length / Float.BYTES];
            bytes.asFloatBuffer().get(f);
            floats = f;
        } else if (DOUBLE.equals(dataType) && values.length % Double.BYTES == 0) {
            double[] d = new double[values.length / Double.BYTES];
            bytes.asDoubleBuffer().get(d);
            doubles = d;
        } else {
            throw new InvalidHyperparameterException("anchor", "anchor segment dataType must be " + FLOAT + " or " + DOUBLE
                    + " with a whole number of values, got " + dataType + " and " + values.length + " bytes");
        }
        jsonValues = null;
        jsonDataType = null;
    }

    @JsonProperty("offset")
    long offset() {
        return offset;
    }

    @JsonProperty("dataType")
    String dataType() {
        return floats != null ? FLOAT : DOUBLE;
    }

    @JsonProperty("values")
    byte[] bytes() {
        ByteBuffer out;
        if (floats != null) {
            out = ByteBuffer.allocate(floats.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            out.asFloatBuffer().put(floats);
        } else {
            out = ByteBuffer.allocate(doubles.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            out.asDoubleBuffer().put(doubles);
        }
        return out.array();
    }

    long length() {
        return floats != null ? floats.length : doubles.length;
    }

    /** Whether this segment holds the whole range {@code [from, from + n)} of the flattened parameters. */
    boolean covers(long from, long n) {
        return from >= offset && from + n <= offset + length();
    }

    /** Whether this segment is exactly the range {@code [from, from + n)}. */
    boolean isExactly(long from, long n) {
        return from == offset && n == length();
    }

    /**
     * Values {@code [from, from + n)} of the flattened parameters (which this segment covers) into {@code dst},
     * rounded to float when {@code toFloat} is set and the segment holds doubles.
     */
    void read(long from, double[] dst, int n, boolean toFloat) {
        int start = (int) (from - offset);
        if (doubles != null && toFloat) {
            final double[] d = doubles;
            for (int i = 0; i < n; i++) {
                dst[i] = (float) d[start + i];
            }
        } else if (doubles != null) {
            System.arraycopy(doubles, start, dst, 0, n);
        } else {
            final float[] f = floats;
            for (int i = 0; i < n; i++) {
                dst[i] = f[start + i];
            }
        }
    }

    /**
     * The values themselves when this segment holds floats (not a copy: never to be modified), else null;
     * position {@code p} of the flattened parameters is at {@link #indexOf}{@code (p)}.
     */
    float[] floatValues() {
        return floats;
    }

    /** Index in this segment's values of position {@code position} of the flattened parameters (covered). */
    int indexOf(long position) {
        return (int) (position - offset);
    }

    /** Values {@code [from, from + n)} of the flattened parameters (covered) rounded to float, into {@code dst}. */
    void readRounded(long from, float[] dst, int n) {
        int start = indexOf(from);
        if (floats != null) {
            System.arraycopy(floats, start, dst, 0, n);
        } else {
            final double[] d = doubles;
            for (int i = 0; i < n; i++) {
                dst[i] = (float) d[start + i];
            }
        }
    }

    double value(long index) {
        return floats != null ? floats[(int) index] : doubles[(int) index];
    }

    private long firstNonFinite() {
        long n = length();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(value(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Same range and the same values, bit for bit. */
    boolean sameContent(AnchorSegment other) {
        return other == this || (other != null && offset == other.offset && Arrays.equals(floats, other.floats)
                && Arrays.equals(doubles, other.doubles));
    }

    @Override
    public String toString() {
        return "AnchorSegment(offset=" + offset + ", length=" + length() + ", " + dataType() + ")";
    }
}
