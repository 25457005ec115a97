/*
 * Test helper: reads a context.xml the way Tomcat does (JAXP's SAX parser, not
 * validating) and prints the <Manager> attributes, one per line, as
 * "name<TAB>Base64(UTF-8 value)", so the test compares exact strings.
 * A malformed file exits 2 with the parser's message.
 */
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

public class ReadManager {
    public static void main(String[] args) throws Exception {
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setValidating(false);
        factory.setNamespaceAware(true);
        SAXParser parser = factory.newSAXParser();
        StringBuilder out = new StringBuilder();
        try {
            parser.parse(new File(args[0]), new DefaultHandler() {
                @Override
                public void startElement(String uri, String local, String qName, Attributes attrs) {
                    if (!"Manager".equals(qName)) return;
                    for (int i = 0; i < attrs.getLength(); i++) {
                        out.append(attrs.getQName(i)).append('\t')
                           .append(Base64.getEncoder().encodeToString(attrs.getValue(i).getBytes(StandardCharsets.UTF_8))).append('\n');
                    }
                }
            });
        } catch (org.xml.sax.SAXParseException e) {
            System.err.println("malformed: " + e.getMessage());
            System.exit(2);
        }
        System.out.print(out);
    }
}
