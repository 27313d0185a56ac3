package io.pinsage.csr;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What the store's packages may use of each other, beside the enforcer's module rules in the pom. Run with the
 * module's tests; a violation names the class, the member and the line.
 */
@AnalyzeClasses(packages = "io.pinsage.csr", importOptions = ImportOption.DoNotIncludeTests.class)
class CsrStoreArchitectureTest {

    /** Framed files and generations serve every store (graph, neighbourhoods, features, embeddings), so know none. */
    @ArchTest
    static final ArchRule formatShouldKnowNoParticularStore = noClasses().that().resideInAPackage("io.pinsage.csr.format..")
            .should().dependOnClassesThat(resideInAPackage("io.pinsage..").and(not(resideInAPackage("io.pinsage.csr.format.."))));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
