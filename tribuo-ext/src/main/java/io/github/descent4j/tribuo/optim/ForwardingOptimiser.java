package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * A Tribuo optimiser that wraps another one (its {@link #delegate}) and forwards the optimiser lifecycle to
 * it: {@link #initialise}, {@link #step}, {@link #finalise} and {@link #reset}. Subclasses override what they
 * add (typically {@link #step}, calling {@code delegate().step} inside) and keep their {@code @Config} fields,
 * private no-arg constructor and {@link #copy} themselves, as OLCUT configures and Tribuo copies the concrete
 * class. The provenance is the subclass's configured fields, as for every descent4j Tribuo optimiser.
 */
public abstract class ForwardingOptimiser implements StochasticGradientOptimiser {

    /** The optimiser the lifecycle is forwarded to (a configured base, or one the subclass built). */
    protected abstract StochasticGradientOptimiser delegate();

    @Override
    public void initialise(Parameters parameters) {
        delegate().initialise(parameters);
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        return delegate().step(updates, weight);
    }

    @Override
    public void finalise() {
        delegate().finalise();
    }

    @Override
    public void reset() {
        delegate().reset();
    }

    @Override
    public abstract ForwardingOptimiser copy();

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }

    /**
     * Runs a subclass's validation from {@code postConfig}, turning its {@link InvalidHyperparameterException}
     * into OLCUT's {@link PropertyException} naming the same parameter.
     */
    protected static void validateConfigured(Runnable validation) {
        try {
            validation.run();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
    }
}
