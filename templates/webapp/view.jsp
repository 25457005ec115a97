<%@ page contentType="text/html; charset=UTF-8" session="true" %><%
  // Read-only view of the session (for benchmarks of read-mostly traffic):
  // prints the counter without changing it.
  String node = System.getenv("MSM_KIT_NODE");
  if (node == null) node = java.net.InetAddress.getLocalHost().getHostName();
  Integer counter = (Integer) session.getAttribute("counter");
  if (counter == null) { counter = 0; session.setAttribute("counter", counter); }
  response.setHeader("Cache-Control", "no-store");
%><!DOCTYPE html>
<html><body>
<p>node <span data-key="node"><%= node %></span>, session <span data-key="session"><%= session.getId() %></span>, counter <span data-key="counter"><%= counter %></span> (read only)</p>
</body></html>
