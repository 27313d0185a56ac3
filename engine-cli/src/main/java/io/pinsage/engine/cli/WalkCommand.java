package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.WeightedEdgeChooser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pinsage walk DIR --query ID[:weight],... --steps N --top K}: one Pixie query, printed. Ids are the
 * store's external pin ids when it has an id map (unless {@code --dense-ids}), dense ids otherwise.
 */
@Command(name = "walk", mixinStandardHelpOptions = true,
        description = "Run a Pixie query (random walks pin -> board -> pin) on a graph store and print the top pins.")
final class WalkCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory")
    Path dir;

    @Option(names = "--query", required = true, split = ",", paramLabel = "ID[:weight]",
            description = "query pins (external ids if the store has an id map, else dense ids), each with an optional positive weight (default 1)")
    String[] query;

    @Option(names = "--dense-ids", description = "read and print dense ids even when the store has an id map")
    boolean denseIds;

    @Option(names = "--steps", defaultValue = "100000", description = "total walk steps N, at most 16777216 (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--top", defaultValue = "20", description = "pins to print; more than were visited prints all of them (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--boards", defaultValue = "0", description = "boards to print (default ${DEFAULT-VALUE})")
    int boards;

    @Option(names = "--alpha", defaultValue = "0.5", description = "restart probability (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--no-boost", description = "sum visits instead of the multi-hit booster")
    boolean noBoost;

    @Option(names = "--early-stop", paramLabel = "PINS:VISITS", description = "stop a pin's walks once PINS pins have VISITS visits (default: all N steps)")
    String earlyStop;

    @Option(names = "--blocklist", split = ",", description = "pins never returned (ids as for --query; default: none)")
    String[] blocklist = new String[0];

    @Option(names = "--weighted", description = "follow edges in proportion to the store's edge weights (builds 8 bytes per edge of tables first)")
    boolean weighted;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    ResidencyOption residency;

    @Override
    public Integer call() throws Exception {
        PixieQuery.requireSteps("--steps", steps); // before opening: a copied adjacency would be wasted
        try (GraphStore store = residency.open(dir, System.err, steps)) {
            IdMap ids = denseIds ? null : store.ids(Side.LEFT).orElse(null);
            PixieQuery.Builder b = PixieQuery.builder().steps(steps).topPins(top).topBoards(boards).alpha(alpha)
                    .boost(!noBoost).seed(seed);
            for (String term : query) {
                int colon = term.indexOf(':');
                b.pin(pin(store, "--query", colon < 0 ? term : term.substring(0, colon)),
                        colon < 0 ? 1f : parseFloat("--query weight", term.substring(colon + 1)));
            }
            int[] blocked = new int[blocklist.length];
            for (int i = 0; i < blocked.length; i++) {
                blocked[i] = pin(store, "--blocklist", blocklist[i]);
            }
            b.blocklist(blocked);
            if (earlyStop != null) {
                String[] parts = earlyStop.split(":", 2);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("--early-stop=" + earlyStop + ": expected PINS:VISITS");
                }
                b.earlyStop(parseInt("--early-stop pins", parts[0]), parseInt("--early-stop visits", parts[1]));
            }
            PixieQuery q = b.build();
            if (weighted && !store.graph().hasWeights()) {
                throw new IllegalArgumentException("--weighted: the store at " + dir + " has no edge weights");
            }
            PixieEngine engine = weighted
                    ? new PixieEngine(store.graph(), new WeightedEdgeChooser(store.graph()), PixieEngine.DEFAULT_LANES)
                    : new PixieEngine(store.graph());
            long start = System.nanoTime();
            PixieResult r = engine.query(q);
            double ms = (System.nanoTime() - start) / 1e6;
            IdMap boardIds = denseIds ? null : store.ids(Side.RIGHT).orElse(null);
            System.out.printf("%,d steps in %.1f ms%n", r.stepsTaken(), ms);
            System.out.println("rank  pin         score");
            for (int i = 0; i < r.pinCount(); i++) {
                System.out.printf("%4d  %-10s  %.1f%n", i + 1, ids == null ? Integer.toString(r.pin(i)) : ids.external(r.pin(i)),
                        r.pinScore(i));
            }
            if (r.boardCount() > 0) {
                System.out.println("rank  board       visits");
                for (int i = 0; i < r.boardCount(); i++) {
                    System.out.printf("%4d  %-10s  %.0f%n", i + 1,
                            boardIds == null ? Integer.toString(r.board(i)) : boardIds.external(r.board(i)), r.boardScore(i));
                }
            }
        }
        return 0;
    }

    /** The dense pin id of {@code text}: through the store's id map unless {@code --dense-ids}, else a dense id. */
    private int pin(GraphStore store, String field, String text) {
        try {
            return denseIds ? store.parseDenseId(Side.LEFT, text) : store.denseId(Side.LEFT, text);
        } catch (UnknownIdException e) {
            throw new IllegalArgumentException(field + "=" + e.id() + ": " + e.problem(), e);
        }
    }

    private static int parseInt(String field, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + "=" + text + ": expected an integer");
        }
    }

    private static float parseFloat(String field, String text) {
        try {
            return Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + "=" + text + ": expected a number");
        }
    }
}
