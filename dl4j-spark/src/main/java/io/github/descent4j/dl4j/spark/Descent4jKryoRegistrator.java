package io.github.descent4j.dl4j.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import org.nd4j.kryo.Nd4jRegistrator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Spark's Kryo registrator for descent4j: ND4J's ({@link Nd4jRegistrator}: arrays and data buffers) plus Java
 * serialisation for what Kryo's field-by-field copy gets wrong.
 * <pre>
 *   spark.serializer        org.apache.spark.serializer.KryoSerializer
 *   spark.kryo.registrator  io.github.descent4j.dl4j.spark.Descent4jKryoRegistrator
 * </pre>
 * <ul>
 *   <li>{@link SelectiveProjectionDecay}: its Java form ({@code writeReplace}) carries the anchors a network
 *       captured; Kryo skips the transient bookkeeping that holds them, so a Kryo copy of a trained
 *       {@code of(λ)} configuration would capture its anchor again.</li>
 *   <li>The JDK's unmodifiable and immutable collections ({@code Collections.unmodifiableList}, {@code List.of},
 *       {@code List.copyOf}, …): Kryo rebuilds a collection by adding to an empty instance, which these refuse
 *       ({@code UnsupportedOperationException}); DL4J configurations and regularisations may hold them.</li>
 * </ul>
 * descent4j's own listeners, updaters and regularisations also survive Kryo with {@code Nd4jRegistrator} alone, except
 * that captured-anchor case.
 */
public class Descent4jKryoRegistrator extends Nd4jRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        super.registerClasses(kryo);
        JavaSerializer java = new JavaSerializer();
        kryo.register(SelectiveProjectionDecay.class, java);
        for (Class<?> c : jdkCollections()) {
            kryo.register(c, java);
        }
    }

    /** The classes of the JDK's unmodifiable wrappers and immutable collections (all Serializable). */
    static List<Class<?>> jdkCollections() {
        List<Object> samples = List.of(
                Collections.unmodifiableCollection(new ArrayList<>()),
                Collections.unmodifiableList(new ArrayList<>()),
                Collections.unmodifiableList(new LinkedList<>()),
                Collections.unmodifiableSet(Set.of()),
                Collections.unmodifiableSortedSet(new TreeSet<>()),
                Collections.unmodifiableMap(Map.of()),
                Collections.unmodifiableSortedMap(new TreeMap<>()),
                List.of(), List.of(1), List.of(1, 2, 3),
                Set.of(), Set.of(1), Set.of(1, 2, 3),
                Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2));
        List<Class<?>> out = new ArrayList<>();
        for (Object o : samples) {
            if (!out.contains(o.getClass())) {
                out.add(o.getClass());
            }
        }
        return out;
    }
}
