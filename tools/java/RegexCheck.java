/*
 * msm-kit's Java regex checker: compiles each pattern with java.util.regex, the
 * engine msm itself uses (Pattern.compile, no flags), and says whether it compiles.
 *
 * Protocol (src/config/java-regex.ts drives it; `java RegexCheck.java` runs it
 * as a single-file program on Java 11+):
 *   stdin:  one pattern per line, Base64 (UTF-8) encoded, so any pattern fits a line
 *   stdout: one line per pattern, in order: "OK" or "ERR <Base64 of description>"
 * The description is PatternSyntaxException's own (e.g. "Illegal repetition near
 * index 0"), without the multi-line caret drawing.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public class RegexCheck {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        Base64.Decoder dec = Base64.getDecoder();
        Base64.Encoder enc = Base64.getEncoder();
        String line;
        while ((line = in.readLine()) != null) {
            String pattern = new String(dec.decode(line.trim()), StandardCharsets.UTF_8);
            String error = null;
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                error = e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "");
            } catch (RuntimeException | StackOverflowError e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            out.println(error == null ? "OK" : "ERR " + enc.encodeToString(error.getBytes(StandardCharsets.UTF_8)));
        }
        out.flush();
    }
}
