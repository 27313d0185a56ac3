package io.pinsage.csr;

/**
 * One line of a TSV or CSV edge list, the format {@link EdgeListIngest} reads and a live server follows:
 * {@code left SEP right [SEP weight [SEP timestamp]]}, ids stripped of surrounding blanks and not empty, the weight
 * positive and finite ({@link EdgeWeight}, default 1), the timestamp an integer (checked, not kept). What the ids may be (numbers,
 * dense ids, any text) is the reader's rule, checked after this.
 *
 * <p>A parser is reused line after line: {@link #parse} fills the fields read by the accessors until the next call.
 * Not thread-safe; allocates the split fields only.
 */
public final class EdgeLine {

    /** Longest line quoted whole in a message; longer ones are cut with "...". */
    private static final int QUOTED = 120;

    private final String split;
    private final String separatorName;
    private final String leftName;
    private final String rightName;
    private String left;
    private String right;
    private String weightField;
    private float weight;

    /**
     * @param separator {@code '\t'} or {@code ','}
     * @param leftName  what messages call the left id, e.g. {@code left} or {@code pin}
     * @param rightName what they call the right one
     * @throws IllegalArgumentException for another separator
     */
    public EdgeLine(char separator, String leftName, String rightName) {
        if (separator != '\t' && separator != ',') {
            throw new IllegalArgumentException("separator=" + (int) separator + ": expected TAB or ','");
        }
        this.split = String.valueOf(separator);
        this.separatorName = separator == '\t' ? "TAB" : "','";
        this.leftName = leftName;
        this.rightName = rightName;
    }

    /**
     * Reads {@code line} (neither blank nor a comment: the caller skips those).
     *
     * @param readWeight whether the weight column is read and checked; without, every edge weighs 1
     * @return null if the line is an edge, else what is wrong with it (no file or line number: the caller adds them)
     */
    public String parse(String line, boolean readWeight) {
        String[] f = line.split(split, -1);
        if (f.length < 2 || f.length > 4) {
            return "expected 2 to 4 fields separated by " + separatorName + " (" + leftName + ", " + rightName
                    + ", weight, timestamp), found " + f.length;
        }
        left = f[0].strip();
        right = f[1].strip();
        if (left.isEmpty() || right.isEmpty()) {
            return (left.isEmpty() ? leftName : rightName) + " id is empty";
        }
        weightField = f.length >= 3 && !f[2].isBlank() ? f[2].strip() : null;
        weight = 1f;
        if (readWeight && weightField != null) {
            try {
                weight = Float.parseFloat(weightField);
            } catch (NumberFormatException e) {
                return EdgeWeight.notANumber("weight", f[2]);
            }
            String problem = EdgeWeight.check("weight", f[2], weight);
            if (problem != null) {
                return problem;
            }
        }
        if (f.length == 4) {
            try {
                Long.parseLong(f[3].strip());
            } catch (NumberFormatException e) {
                return "timestamp '" + f[3] + "' is not an integer";
            }
        }
        return null;
    }

    /** The left id of the line parsed last, stripped. */
    public String left() {
        return left;
    }

    /** The right id of the line parsed last, stripped. */
    public String right() {
        return right;
    }

    /** The weight of the line parsed last: 1 when absent or not read. */
    public float weight() {
        return weight;
    }

    /** The weight column as written (stripped), whether or not it was read; null when absent or blank. */
    public String weightField() {
        return weightField;
    }

    /** {@code line} as quoted in a message: whole up to 120 characters, else its start and "...". */
    public static String abbreviate(String line) {
        return line.length() <= QUOTED ? line : line.substring(0, QUOTED - 3) + "...";
    }
}
