<%@ page contentType="text/html; charset=UTF-8" %><%@ include file="/WEB-INF/bench.jspf" %><%
  // Write: one item changes in place and the hit counter is replaced, on every request.
  int hits = ((Integer) session.getAttribute("hits")).intValue() + 1;
  Map<String, Object> item = (Map<String, Object>) items.get(hits % items.size());
  item.put("qty", Integer.valueOf(hits % 10));
  item.put("ts", Long.valueOf(System.currentTimeMillis()));
  session.setAttribute("hits", Integer.valueOf(hits));
%><p>write <span data-key="items"><%= items.size() %></span> <span data-key="hits"><%= hits %></span> <span data-key="work_us"><%= workUs %></span> <span data-key="digest"><%= digest[0] %></span></p>
