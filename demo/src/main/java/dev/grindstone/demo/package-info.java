/**
 * The demo service that {@code grindstone demo} load-tests: {@link
 * dev.grindstone.demo.DemoService}, a small HTTP shop on 127.0.0.1, and its run file {@code
 * demo.yaml}. A test target for examples, tests and benchmarks; not part of the library jars.
 */
package dev.grindstone.demo;
