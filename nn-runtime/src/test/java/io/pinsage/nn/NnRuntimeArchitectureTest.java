package io.pinsage.nn;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What the network runtime's classes may use, beside the enforcer's module rules in the pom. Run with the module's
 * tests; a violation names the class, the member and the line.
 */
@AnalyzeClasses(packages = "io.pinsage.nn", importOptions = ImportOption.DoNotIncludeTests.class)
class NnRuntimeArchitectureTest {

    /** Tensors, backends and layers know nothing of graphs or stores: any producer of minibatches can feed them. */
    @ArchTest
    static final ArchRule runtimeShouldUseNothingOfOursOutsideNn = noClasses().that().resideInAPackage("io.pinsage.nn..")
            .should().dependOnClassesThat(resideInAPackage("io.pinsage..").and(not(resideInAPackage("io.pinsage.nn.."))));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
