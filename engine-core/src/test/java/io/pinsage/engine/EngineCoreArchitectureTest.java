package io.pinsage.engine;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What engine-core, the embeddable library, may use beside the enforcer's module rules in the pom (which already keep
 * picocli and XChart off its class path). Run with the module's tests; a violation names the class, the member and
 * the line.
 */
@AnalyzeClasses(packages = "io.pinsage.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineCoreArchitectureTest {

    /**
     * The library never parses arguments or draws charts, so a service embeds it without the command line's
     * libraries; engine-cli's packages share the {@code io.pinsage.engine} prefix, and none of them is the library's.
     */
    @ArchTest
    static final ArchRule libraryShouldNotUseTheCommandLine = noClasses()
            .should().dependOnClassesThat(resideInAnyPackage("io.pinsage.engine.cli..", "io.pinsage.engine.bench..",
                    "picocli..", "org.knowm.xchart.."));

    /**
     * The library prints nothing: notes go to SLF4J, progress to the listeners its caller passes, so a host decides
     * what reaches a console.
     */
    @ArchTest
    static final ArchRule libraryShouldNotPrint = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
