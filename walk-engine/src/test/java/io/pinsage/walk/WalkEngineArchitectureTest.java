package io.pinsage.walk;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What the walk engine's classes may use, beside the enforcer's module rules in the pom (which allow all of
 * csr-store). Run with the module's tests; a violation names the class, the member and the line.
 */
@AnalyzeClasses(packages = "io.pinsage.walk", importOptions = ImportOption.DoNotIncludeTests.class)
class WalkEngineArchitectureTest {

    /**
     * Walks run on any graph (heap, mapped store, a test's): they see its interface, never shards, stores or builders;
     * of a live graph, only its views, which are that interface, refreshed per query.
     */
    @ArchTest
    static final ArchRule walksShouldSeeOnlyTheGraphApi = classes().that().resideInAPackage("io.pinsage.walk..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.pinsage.walk..", "java..", "jdk.incubator.vector..",
                    "org.agrona..").or(belongToAnyOf(BipartiteGraph.class, Side.class, LiveGraph.class, LiveView.class)));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
