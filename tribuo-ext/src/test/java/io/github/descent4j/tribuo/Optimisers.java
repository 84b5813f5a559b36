package io.github.descent4j.tribuo;

import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.AdamW;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.optim.NormalizedSGD;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.optim.Signum;
import io.github.descent4j.tribuo.optim.UpdateRuleOptimiser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleFunction;

/** Every descent4j rule optimiser, built from a learning rate with non-default hyperparameters. */
public final class Optimisers {
    private Optimisers() {}

    public static Map<String, DoubleFunction<UpdateRuleOptimiser>> ruleOptimisers() {
        Map<String, DoubleFunction<UpdateRuleOptimiser>> m = new LinkedHashMap<>();
        m.put("SignSGD", lr -> new SignSGD(lr));
        m.put("SignSGD+momentum", lr -> new SignSGD(lr, 0.8));
        m.put("Signum", lr -> new Signum(lr, 0.85));
        m.put("Lion", lr -> new Lion(lr, 0.85, 0.95, 0.2));
        m.put("NormalizedSGD", lr -> new NormalizedSGD(lr));
        m.put("NormalizedSGD+momentum", lr -> new NormalizedSGD(lr, 0.7));
        m.put("AdaGradNorm", lr -> new AdaGradNorm(lr, 0.3));
        m.put("Adam", lr -> new Adam(lr, 0.8, 0.99, 1e-7));
        m.put("AdamW", lr -> new AdamW(lr, 0.8, 0.99, 1e-7, 0.05));
        return m;
    }
}
