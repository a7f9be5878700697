/* The DataTables preview (ckanext-datatablesview) names its row-number column after the
   DataStore's internal "_id", in the header and in "Sort: _id" under the table. Before the
   preview starts (a CKAN module: it runs once CKAN's translations have loaded), the column
   gets the label the page gives in <meta name="guangdong-row-label">. */
(function label() {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
    return;
  }
  var meta = document.querySelector('meta[name="guangdong-row-label"]');
  var th = document.querySelector('th[data-name="_id"]');
  if (!meta || !th) { return; }
  th.setAttribute("data-name", meta.content);
  th.textContent = meta.content;
})();
