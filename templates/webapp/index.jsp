<%@ page contentType="text/html; charset=UTF-8" session="true" import="java.util.Date" %><%
  // msm-kit sample page: the seed's test page plus a per-session counter, so a
  // client can prove that session DATA (not only the id) moves between nodes.
  String node = System.getenv("MSM_KIT_NODE");
  if (node == null) node = java.net.InetAddress.getLocalHost().getHostName();
  Integer counter = (Integer) session.getAttribute("counter");
  counter = counter == null ? 1 : counter + 1;
  session.setAttribute("counter", counter);
  if (session.getAttribute("firstNode") == null) session.setAttribute("firstNode", node);
  response.setHeader("Cache-Control", "no-store");
  response.setHeader("X-Msm-Node", node);
  response.setHeader("X-Msm-Counter", String.valueOf(counter));
%><!DOCTYPE html>
<html>
<head><title>msm-kit: <%= node %></title></head>
<body>
<h1>Served by <span id="node"><%= node %></span></h1>
<table>
<tr><th>node</th><td data-key="node"><%= node %></td></tr>
<tr><th>session id</th><td data-key="session"><%= session.getId() %></td></tr>
<tr><th>created</th><td data-key="created"><%= new Date(session.getCreationTime()) %></td></tr>
<tr><th>counter</th><td data-key="counter"><%= counter %></td></tr>
<tr><th>first node</th><td data-key="firstNode"><%= session.getAttribute("firstNode") %></td></tr>
<tr><th>Tomcat</th><td data-key="tomcat"><%= application.getServerInfo() %></td></tr>
<tr><th>Java</th><td data-key="java"><%= System.getProperty("java.version") %> (<%= System.getProperty("java.vendor") %>)</td></tr>
</table>
</body>
</html>
