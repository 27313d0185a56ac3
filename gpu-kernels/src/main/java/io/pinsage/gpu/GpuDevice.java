package io.pinsage.gpu;

/**
 * What the driver reports about one CUDA device: for logs, {@code pinsage doctor} and bandwidth ratios.
 *
 * @param ordinal the CUDA device number
 * @param name the product name, e.g. {@code "NVIDIA H100 80GB HBM3"}
 * @param computeMajor compute capability, major part (9 for Hopper)
 * @param computeMinor compute capability, minor part
 * @param smCount streaming multiprocessors
 * @param totalMemoryBytes device memory
 * @param peakBandwidthGBs theoretical memory bandwidth in 1e9 B/s, 0 when the driver does not report it
 */
public record GpuDevice(int ordinal, String name, int computeMajor, int computeMinor, int smCount,
                        long totalMemoryBytes, double peakBandwidthGBs) {

    /** One line: {@code cuda:0 NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.1 GiB, 3352 GB/s}. */
    @Override
    public String toString() {
        return String.format("cuda:%d %s, sm_%d%d, %d SMs, %.1f GiB, %.0f GB/s", ordinal, name, computeMajor,
                computeMinor, smCount, totalMemoryBytes / (double) (1L << 30), peakBandwidthGBs);
    }
}
