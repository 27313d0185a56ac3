package io.pinsage.csr;

/** How the nodes of an input are named. */
public enum IdKind {
    /** Already dense ints {@code 0..n-1}: no id map is built or stored. */
    DENSE,
    /** 64-bit integers, mapped to dense ids in order of first appearance. */
    LONG,
    /** Arbitrary strings (UTF-8), mapped to dense ids in order of first appearance. */
    STRING
}
