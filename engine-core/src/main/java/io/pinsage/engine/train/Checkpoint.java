package io.pinsage.engine.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Everything needed to resume training exactly: parameters, Adam moments and step count, the position (next
 * epoch and batch), the learning-rate scale and the early-stopping state. Randomness needs no saved state of its
 * own: every epoch's shuffle and every batch's draws come from generators seeded by (seed, epoch, batch), so
 * the position is the RNG state.
 *
 * <pre>
 * checkpoint.bin, codec "PSCKPT01", version 1 ({@link BinaryFile} envelope):
 *   shape (as in model.bin); epoch int32; batch int32; globalStep int64; lrScale float32; best float64;
 *   badEpochs int32; adamStep int64; dense, embedding, adam.denseM, adam.denseV, adam.embM, adam.embV
 *   (int32 n + n float32 each)
 * </pre>
 */
record Checkpoint(ModelParams params, Adam adam, int epoch, int batch, long globalStep, float lrScale, double best,
                  int badEpochs) {

    static final String MAGIC = "PSCKPT01";

    void save(Path file) throws IOException {
        BinaryFile.write(file, MAGIC, ModelFile.VERSION, out -> {
            ModelFile.writeShape(out, params.shape);
            out.writeInt(epoch);
            out.writeInt(batch);
            out.writeLong(globalStep);
            out.writeFloat(lrScale);
            out.writeDouble(best);
            out.writeInt(badEpochs);
            out.writeLong(adam.step);
            BinaryFile.writeFloats(out, params.dense);
            BinaryFile.writeFloats(out, params.embedding);
            BinaryFile.writeFloats(out, adam.denseM);
            BinaryFile.writeFloats(out, adam.denseV);
            BinaryFile.writeFloats(out, adam.embM);
            BinaryFile.writeFloats(out, adam.embV);
        });
    }

    /**
     * Reads a checkpoint and checks that it belongs to a model of {@code expected} shape.
     *
     * @throws CorruptCheckpointException naming the file if it is damaged or of another shape
     */
    static Checkpoint load(Path file, ModelShape expected) throws IOException {
        return BinaryFile.read(file, MAGIC, ModelFile.VERSION, in -> {
            ModelShape shape = ModelFile.readShape(in);
            if (!shape.equals(expected)) {
                throw new CorruptCheckpointException(file.toString(), "written for " + shape + ", but this run trains " + expected);
            }
            int epoch = in.readInt();
            int batch = in.readInt();
            long globalStep = in.readLong();
            float lrScale = in.readFloat();
            double best = in.readDouble();
            int bad = in.readInt();
            long adamStep = in.readLong();
            ModelParams sized = ModelParams.wrap(shape, null, null);
            int d = sized.dense.length;
            int e = sized.embedding.length;
            ModelParams params = ModelParams.wrap(shape, BinaryFile.readFloats(in, d, "dense"), BinaryFile.readFloats(in, e, "embedding"));
            Adam adam = new Adam(BinaryFile.readFloats(in, d, "adam.denseM"), BinaryFile.readFloats(in, d, "adam.denseV"),
                    BinaryFile.readFloats(in, e, "adam.embM"), BinaryFile.readFloats(in, e, "adam.embV"), adamStep);
            return new Checkpoint(params, adam, epoch, batch, globalStep, lrScale, best, bad);
        });
    }
}
