<%@ page contentType="text/html; charset=UTF-8" %><%@ include file="/WEB-INF/bench.jspf" %><%
  // Read-mostly: reads every item, changes nothing in the session.
  long qty = 0;
  for (Object o : items) qty += ((Integer) ((Map<String, Object>) o).get("qty")).intValue();
%><p>read <span data-key="items"><%= items.size() %></span> <span data-key="qty"><%= qty %></span> <span data-key="hits"><%= session.getAttribute("hits") %></span> <span data-key="work_us"><%= workUs %></span> <span data-key="digest"><%= digest[0] %></span></p>
