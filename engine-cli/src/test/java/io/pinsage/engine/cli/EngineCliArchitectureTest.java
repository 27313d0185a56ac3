package io.pinsage.engine.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What engine-cli's packages may use, beside the enforcer's module rules in the pom: the commands
 * ({@code io.pinsage.engine.cli}) and the bench drivers they run ({@code io.pinsage.engine.bench}). Run with the
 * module's tests; a violation names the class, the member and the line.
 */
@AnalyzeClasses(packages = {"io.pinsage.engine.cli", "io.pinsage.engine.bench"}, importOptions = ImportOption.DoNotIncludeTests.class)
class EngineCliArchitectureTest {

    /**
     * A bench driver measures and reports; parsing options and drawing charts are the commands' part, so a driver
     * runs from a test or a JMH harness without them.
     */
    @ArchTest
    static final ArchRule benchDriversShouldNotUseTheCommandLine = noClasses()
            .that().resideInAPackage("io.pinsage.engine.bench..")
            .should().dependOnClassesThat(resideInAnyPackage("io.pinsage.engine.cli..", "picocli..", "org.knowm.xchart.."));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
