/**
 * Live edges: a {@link io.pinsage.csr.live.LiveGraph} holds an immutable base graph and the edges added since, one
 * writer appending and any number of readers walking consistent views ({@link io.pinsage.csr.live.LiveView}), with an
 * optional write-ahead log ({@link io.pinsage.csr.live.EdgeLog}) for durability, and compactions
 * ({@link io.pinsage.csr.live.Compaction}) that write base and recent edges into a new store generation while readers
 * keep leases on the one they read.
 */
package io.pinsage.csr.live;
