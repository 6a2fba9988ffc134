package dev.pipekeeper.core.archfixture.internal;

/** An implementation type that must stay out of public signatures. */
public class Hidden {}
