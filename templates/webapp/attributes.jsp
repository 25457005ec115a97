<%@ page contentType="text/html; charset=UTF-8" session="true" import="java.util.*,java.util.concurrent.atomic.AtomicInteger,java.net.URI,java.util.regex.Pattern" %><%!
  // msm-kit attribute coverage: JDK types users keep in sessions. The first
  // request stores each one; every later request (on whatever node) reads it
  // back and compares it with a freshly built expected value.
  /**
   * An object graph with a cycle and a shared reference, built from JDK lists
   * (classes compiled from a JSP live in Jasper's class loader, which msm's
   * deserializer cannot see; user classes belong in WEB-INF/classes).
   */
  @SuppressWarnings("unchecked")
  static List<Object> graph() {
    List<Object> a = new ArrayList<Object>(), b = new ArrayList<Object>(), c = new ArrayList<Object>();
    a.add("a"); a.add(b); a.add(c);
    b.add("b"); b.add(c); b.add(a);
    c.add("c");
    return a;
  }

  @SuppressWarnings("unchecked")
  static boolean isGraph(Object o) {
    try {
      List<Object> a = (List<Object>) o;
      List<Object> b = (List<Object>) a.get(1), c = (List<Object>) a.get(2);
      return "a".equals(a.get(0)) && "b".equals(b.get(0)) && b.get(1) == c && b.get(2) == a && "c".equals(c.get(0));
    } catch (RuntimeException e) {
      return false;
    }
  }

  static String describe(Object o) {
    if (o instanceof List && !((List<?>) o).isEmpty() && "a".equals(((List<?>) o).get(0)) && ((List<?>) o).size() == 3) return isGraph(o) ? "graph(cycle, shared c)" : "broken graph";
    if (o instanceof AtomicInteger) return "AtomicInteger(" + ((AtomicInteger) o).get() + ")";
    if (o instanceof Pattern) return "Pattern(" + ((Pattern) o).pattern() + ")";
    if (o instanceof Calendar) return "Calendar(" + ((Calendar) o).getTimeInMillis() + "," + ((Calendar) o).getTimeZone().getID() + ")";
    return o.getClass().getSimpleName() + o;
  }

  static Map<String, Object> expected() {
    Map<String, Object> m = new LinkedHashMap<String, Object>();
    List<String> base = new ArrayList<String>(Arrays.asList("a", "b", "c", "d"));
    m.put("subList", base.subList(1, 3));
    m.put("arraysAsList", Arrays.asList("x", "y"));
    m.put("unmodifiableList", Collections.unmodifiableList(new ArrayList<String>(Arrays.asList("u", "v"))));
    m.put("unmodifiableMap", Collections.unmodifiableMap(new TreeMap<String, Integer>(Collections.singletonMap("k", 1))));
    m.put("synchronizedList", Collections.synchronizedList(new ArrayList<String>(Arrays.asList("s"))));
    m.put("synchronizedMap", Collections.synchronizedMap(new TreeMap<String, Integer>(Collections.singletonMap("k", 2))));
    m.put("emptyList", Collections.emptyList());
    m.put("singletonList", Collections.singletonList("one"));
    EnumMap<java.util.concurrent.TimeUnit, String> em = new EnumMap<java.util.concurrent.TimeUnit, String>(java.util.concurrent.TimeUnit.class);
    em.put(java.util.concurrent.TimeUnit.SECONDS, "s");
    m.put("enumMap", em);
    m.put("enumSet", EnumSet.of(java.util.concurrent.TimeUnit.MINUTES));
    Calendar cal = Calendar.getInstance(TimeZone.getTimeZone("Europe/Berlin"));
    cal.setTimeInMillis(1700000000000L);
    m.put("calendar", cal);
    m.put("atomicInteger", new AtomicInteger(42));
    m.put("uri", URI.create("https://example.invalid/a?b=c"));
    m.put("pattern", Pattern.compile("^a+b$"));
    m.put("objectGraph", graph());
    return m;
  }
%><%
  String node = System.getenv("MSM_KIT_NODE");
  if (node == null) node = java.net.InetAddress.getLocalHost().getHostName();
  response.setHeader("Cache-Control", "no-store");
  StringBuilder rows = new StringBuilder();
  String only = request.getParameter("only");
  for (Map.Entry<String, Object> e : expected().entrySet()) {
    if (only != null && !only.equals(e.getKey())) continue;
    String key = "cov_" + e.getKey();
    String want = describe(e.getValue());
    String verdict;
    try {
      Object got = session.getAttribute(key);
      if (got == null) verdict = "new";
      else {
        String have = describe(got);
        verdict = have.equals(want) ? "ok" : "FAIL: got " + have + ", want " + want;
      }
    } catch (Throwable t) {
      verdict = "FAIL: " + t;
    }
    session.setAttribute(key, e.getValue());
    rows.append("<tr><th>").append(e.getKey()).append("</th><td data-key=\"attr:").append(e.getKey()).append("\">")
        .append(verdict.replace("&", "&amp;").replace("<", "&lt;")).append("</td></tr>\n");
  }
%><!DOCTYPE html>
<html><body>
<p>node <span data-key="node"><%= node %></span>, session <span data-key="session"><%= session.getId() %></span></p>
<table>
<%= rows %></table>
</body></html>
