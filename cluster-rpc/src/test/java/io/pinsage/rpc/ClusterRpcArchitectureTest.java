package io.pinsage.rpc;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** What the transport may use of ours, beside the enforcer's module rule in the pom. */
@AnalyzeClasses(packages = "io.pinsage.rpc", importOptions = ImportOption.DoNotIncludeTests.class)
class ClusterRpcArchitectureTest {

    /**
     * The transport carries the minibatch contract and nothing else of nn-runtime: the batch types, the graph a
     * batch holds and the node inputs the trainer completes it with. Backends, layers and models stay on the trainer's
     * side of the wire.
     */
    @ArchTest
    static final ArchRule transportShouldUseOnlyTheMinibatchContract = noClasses().that()
            .resideInAPackage("io.pinsage.rpc..")
            .should().dependOnClassesThat(resideInAPackage("io.pinsage..")
                    .and(not(resideInAnyPackage("io.pinsage.rpc..", "io.pinsage.nn.batch..")))
                    .and(not(equivalentTo(ComputationGraph.class)))
                    .and(not(equivalentTo(ComputationGraphBuilder.NodeInputs.class))));

    /** Packages that need each other are one package: a cycle makes neither usable nor testable alone. */
    @ArchTest
    static final ArchRule packagesShouldBeFreeOfCycles = slices().matching("io.pinsage.(**)").should().beFreeOfCycles();
}
