package io.pinsage.csr;

/**
 * What an {@link EdgeListIngest} run read and built.
 *
 * @param lines        lines read, including skipped ones
 * @param skippedLines malformed lines skipped (only with {@code skipBadLines})
 * @param firstSkipped description of the first skipped line, or null
 * @param build        the CSR build's statistics
 */
public record IngestReport(long lines, long skippedLines, String firstSkipped, CsrBuildStats build) {
}
