<%@ page contentType="text/plain; charset=UTF-8" %><%@ include file="/WEB-INF/bench.jspf" %><%
  // Read-mostly: reads every item, changes nothing in the session.
  long qty = 0;
  for (Object o : items) qty += ((Integer) ((Map<String, Object>) o).get("qty")).intValue();
%>read items=<%= items.size() %> qty=<%= qty %> hits=<%= session.getAttribute("hits") %> work_us=<%= workUs %> digest=<%= digest[0] %>
