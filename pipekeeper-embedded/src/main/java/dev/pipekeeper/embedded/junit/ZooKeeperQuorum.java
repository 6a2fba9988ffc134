package dev.pipekeeper.embedded.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class that uses {@link EmbeddedClusterExtension}: its tests get a shared 3-server
 * ZooKeeper quorum instead of the shared single server. A test may stop servers of the quorum; the
 * extension starts them again after the test.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ZooKeeperQuorum {}
