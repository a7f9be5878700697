/* "Copy" buttons of the API examples: data-module="guangdong-copy" on a button,
 * data-module-target = the id of the element whose text is copied,
 * data-module-done = the label shown once copied (rendered by the server in the page's language). */
this.ckan.module('guangdong-copy', function ($) {
  return {
    options: {target: null, done: null},
    initialize: function () {
      $.proxyAll(this, /_on/);
      this.el.on('click', this._onClick);
    },
    _onClick: function () {
      var target = document.getElementById(this.options.target);
      var button = this.el;
      var done = this.options.done;
      if (!target || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(target.innerText).then(function () {
        button.find('.gd-copy-label').text(done);
      }, function () { /* the text stays selectable by hand */ });
    }
  };
});
