/**
 * descent4j updaters for Deeplearning4j 1.0.0-M2.1. The module builds against DL4J and ND4J (CPU) now;
 * its updaters, Selective Projection Decay and layer-wise learning rates are the subject of the
 * Deeplearning4j issue.
 */
package io.github.descent4j.dl4j;
