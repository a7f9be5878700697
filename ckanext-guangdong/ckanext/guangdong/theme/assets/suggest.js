/* Suggestions while typing in the search box (guangdong_search_suggest: titles, organizations,
 * tags; Chinese or pinyin input). data-module="guangdong-suggest" on the input; the API URL,
 * the link patterns (__NAME__ replaced) and the kind labels come from the server in the
 * page's language. Suggestions are text nodes: nothing from the index is parsed as HTML. */
this.ckan.module('guangdong-suggest', function ($) {
  return {
    options: {api: null, dataset: null, organization: null, tag: null,
              labelDataset: null, labelOrganization: null, labelTag: null, heading: null},
    initialize: function () {
      $.proxyAll(this, /_on/);
      this.timer = null;
      this.seq = 0;
      this.list = $('<ul class="gd-suggest" role="listbox" hidden></ul>');
      this.list.attr('id', this.el.attr('id') + '-suggest');
      this.list.attr('aria-label', this.options.heading);
      this.el.attr('aria-controls', this.list.attr('id'));
      this.el.after(this.list);
      this.el.on('input', this._onInput);
      this.el.on('keydown', this._onKey);
      this.list.on('keydown', this._onListKey);
    },
    _onInput: function () {
      clearTimeout(this.timer);
      this.timer = setTimeout(this._onFetch, 150);
    },
    _onFetch: function () {
      var q = this.el.val().trim();
      var seq = ++this.seq;
      var self = this;
      if (!q) { this.list.attr('hidden', true).empty(); return; }
      $.getJSON(this.options.api, {q: q, rows: 5}).done(function (data) {
        if (seq === self.seq) { self._render(data.result.suggestions || []); }
      }).fail(function () { self.list.attr('hidden', true).empty(); });
    },
    _render: function (items) {
      var o = this.options;
      var links = {dataset: o.dataset, organization: o.organization, tag: o.tag};
      var labels = {dataset: o.labelDataset, organization: o.labelOrganization, tag: o.labelTag};
      this.list.empty();
      $.each(items, function (_, s) {
        if (!links[s.kind]) { return; }
        var a = $('<a role="option"></a>').attr('href', links[s.kind].replace('__NAME__', encodeURIComponent(s.name)));
        a.append($('<span class="gd-suggest-kind"></span>').text(labels[s.kind]));
        a.append($('<span class="gd-suggest-text"></span>').text(s.text));
        this.list.append($('<li></li>').append(a));
      }.bind(this));
      this.list.attr('hidden', items.length ? null : true);
    },
    _onKey: function (e) {
      if (e.key === 'ArrowDown' && !this.list.attr('hidden')) {
        e.preventDefault();
        this.list.find('a').first().focus();
      } else if (e.key === 'Escape') {
        this.list.attr('hidden', true);
      }
    },
    _onListKey: function (e) {
      var links = this.list.find('a');
      var i = links.index(document.activeElement);
      if (e.key === 'ArrowDown' && i < links.length - 1) { e.preventDefault(); links.eq(i + 1).focus(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? links.eq(i - 1) : this.el).focus(); }
      if (e.key === 'Escape') { this.list.attr('hidden', true); this.el.focus(); }
    }
  };
});
