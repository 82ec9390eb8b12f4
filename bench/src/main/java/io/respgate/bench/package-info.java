/** JMH microbenchmarks; the end-to-end harness is the {@code bench/} scripts. */
package io.respgate.bench;
