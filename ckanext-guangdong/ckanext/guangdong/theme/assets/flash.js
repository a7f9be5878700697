/* The close buttons of flash messages (added by CKAN's notify.js before the translations load)
 * get their label in the page's language, rendered by the server (templates/page.html). */
this.ckan.module('guangdong-flash-close', function ($) {
  return {
    options: {label: null},
    initialize: function () {
      if (this.options.label) {
        $('.flash-messages .btn-close').attr('aria-label', this.options.label);
      }
    }
  };
});
