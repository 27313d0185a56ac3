package io.pinsage.engine.cli;

import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import picocli.CommandLine;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns exceptions escaping a command into one clear line on stderr and exit code 2 for bad input or
 * configuration; other failures keep their stack trace (they are bugs). A damaged graph store
 * ({@link CorruptStoreException}, thrown or wrapped in an {@link java.io.UncheckedIOException}) gets the line naming
 * the file plus the {@code verify} command that checks the whole store. Set {@code -Dpinsage.stacktrace=true}
 * to see the trace of any error.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    static final int BAD_INPUT = 2;

    /**
     * An option's value that does not parse (not a number, an unknown option, a required one missing): picocli's
     * message naming the option, on one line, instead of the message followed by the whole usage.
     */
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr().println("error: " + e.getMessage() + " (./" + cli.getCommandSpec().qualifiedName(" ")
                + " --help lists the options)");
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (!isUserError(e) || Boolean.getBoolean("pinsage.stacktrace")) {
            throw e;
        }
        cli.getErr().println("error: " + describe(e) + verifyHint(e, cli.getCommandName()));
        return BAD_INPUT;
    }

    /**
     * For a damaged file of a graph store, and a command other than {@code verify}: where to check the whole store.
     * The store is the nearest published directory above the file; a neighbourhood store, which {@code verify}
     * does not read, is rebuilt rather than checked, and embeddings of two runs are embedded again.
     */
    static String verifyHint(Throwable e, String command) {
        Throwable t = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (!(t instanceof CorruptStoreException c) || c.file() == null || command.equals("verify")
                || c.file().endsWith(NeighborhoodFormat.FILE_NAME) || c instanceof EmbeddingPair.NotOneRunException) {
            return "";
        }
        for (Path p = c.file().toAbsolutePath(); p != null; p = p.getParent()) {
            if (StoreDirectory.isPublished(p)) {
                return " (the store is damaged: ./pinsage verify " + p + " checks every file of it)";
            }
        }
        return "";
    }

    private static boolean isUserError(Throwable e) {
        // CorruptStoreException and BadInputException are IOExceptions; a diverged run is the settings' or the
        // data's doing (its message names the step and the tensor), samplers that cannot serve a run the cluster's
        // (the message names the sampler): neither is a bug to show a stack trace for
        return e instanceof IllegalArgumentException
                || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException
                || e instanceof io.pinsage.engine.train.TrainingDivergedException
                || e instanceof io.pinsage.engine.train.RemoteSamplingException;
    }

    /**
     * The message; for a file-system error without a reason (its message is then the bare path), path and kind; for
     * a full disk or a file-size limit, what happened in words (the writers' own exceptions also name the file).
     */
    static String describe(Throwable e) {
        Throwable t = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (!(t instanceof FileSystemException f)) {
            // the system's bare words ("File too large") from a write that did not name its file
            String bare = t instanceof java.io.IOException && t.getCause() == null ? t.getMessage() : null;
            return bare != null && !FileWrites.explain(bare).equals(bare) ? FileWrites.explain(bare) : e.getMessage();
        }
        String files = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
        if (f.getReason() != null) {
            return f.getFile() == null ? f.getMessage() : files + ": " + FileWrites.explain(f.getReason());
        }
        String reason = switch (f) {
            case NoSuchFileException x -> "no such file or directory";
            case AccessDeniedException x -> "permission denied";
            case FileAlreadyExistsException x -> "already exists";
            case NotDirectoryException x -> "not a directory";
            default -> f.getClass().getSimpleName();
        };
        return files + ": " + reason;
    }
}
