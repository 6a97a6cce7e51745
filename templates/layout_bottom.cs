</main>
<footer class="bottom">Contact Tracking</footer>
</body>
</html>
