package io.pinsage.gpu;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips each test of a class that needs a GPU where {@link CudaRuntime} finds none, with the probe's cause as the
 * reason, so reports list every skipped test and why (a class-level skip would report nothing).
 */
final class RequiresCuda implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || CudaRuntime.isAvailable()) {
            return ConditionEvaluationResult.enabled("CUDA available or not a test method");
        }
        return ConditionEvaluationResult.disabled("CUDA unavailable: " + CudaRuntime.unavailabilityCause().getMessage());
    }
}
