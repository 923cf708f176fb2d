// VerCmp FILE: for each "A<TAB>B" line of FILE, prints the order of A and B
// under Maven's ComparableVersion (-1, 0 or 1). Maven takes any string, so
// nothing is invalid. Run as `java -cp maven-artifact.jar VerCmp.java FILE`.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class VerCmp {
    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            ComparableVersion a = new ComparableVersion(line.substring(0, tab));
            ComparableVersion b = new ComparableVersion(line.substring(tab + 1));
            out.append(Integer.signum(a.compareTo(b))).append('\n');
        }
        System.out.print(out);
    }
}
