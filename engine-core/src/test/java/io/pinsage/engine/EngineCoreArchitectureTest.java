package io.pinsage.engine;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.library.freeze.FreezingArchRule.freeze;

/**
 * What engine-core's library packages may use, beside the enforcer's module rules in the pom. The library is
 * {@code io.pinsage.engine} itself and its {@code train}, {@code pipeline}, {@code eval}, {@code data} and
 * {@code util} packages; {@code cli} and {@code bench} are the command line's. Violations that predate a rule are
 * frozen in {@code src/test/resources/archunit-store} (see archunit.properties): they are tolerated, a new one fails,
 * and a fixed one leaves the store. Run with the module's tests; a violation names the class, the member and the line.
 */
@AnalyzeClasses(packages = "io.pinsage.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineCoreArchitectureTest {

    /**
     * The embeddable library never parses arguments or draws charts, so a service embeds it without the command line's
     * libraries. Frozen: TrainingLog draws its loss plots with XChart.
     */
    @ArchTest
    static final ArchRule libraryShouldNotUseTheCommandLine = freeze(noClasses()
            .that().resideInAnyPackage("io.pinsage.engine", "io.pinsage.engine.train..", "io.pinsage.engine.pipeline..",
                    "io.pinsage.engine.eval..", "io.pinsage.engine.data..", "io.pinsage.engine.util..")
            .should().dependOnClassesThat(resideInAnyPackage("io.pinsage.engine.cli..", "io.pinsage.engine.bench..",
                    "picocli..", "org.knowm.xchart..")));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
