package io.github.descent4j.tribuo.train.loop;

import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.math.LinearParameters;
import org.tribuo.provenance.ModelProvenance;

/** A trainer's {@code createModel}: turns the trained parameters into the trainer's Tribuo model. */
public interface ModelFactory<T extends Output<T>, V extends Model<T>> {
    V create(ModelProvenance provenance, ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo,
             LinearParameters parameters);
}
