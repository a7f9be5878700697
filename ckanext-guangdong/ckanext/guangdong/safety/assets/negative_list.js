/* The negative list (负面清单) as the publisher types: after a short pause the title,
   description, identifier, themes and data item names go to the
   guangdong_safety_negative_list_check action; the categories they match, with their reason and
   rule in the page's language, appear beside the 开放属性 (access rights) field. Saving checks
   the same list again. */
ckan.module("guangdong-negative-list", function ($) {
  return {
    initialize: function () {
      $.proxyAll(this, /_on/);
      this.form = this.el.closest("form");
      this.timer = null;
      var access = this.form.find("[name=access_rights]");
      this.message = $('<div class="alert alert-warning gd-negative-list-message" role="status" aria-live="polite"></div>').hide();
      (access.length ? access.closest(".form-group, .control-group, .mb-3") : this.el).after(this.message);
      this.form.on("input change", "input, textarea, select", this._onInput);
      this._onCheck();
    },
    _onInput: function (e) {
      var name = e.target.name || "";
      if (!/^(title|notes|identifier|theme|access_rights)$/.test(name) && !/^data_items-\d+-name$/.test(name)) { return; }
      clearTimeout(this.timer);
      this.timer = setTimeout(this._onCheck, 400);
    },
    _values: function (selector) {
      var out = [];
      this.form.find(selector).each(function () {
        var v = $(this).val();
        if ($.isArray(v)) { out = out.concat(v); } else if (v && (this.type !== "checkbox" || this.checked)) { out.push(v); }
      });
      return out;
    },
    _onCheck: function () {
      var self = this;
      var lang = $("html").attr("lang") === "en" ? "en" : "zh_Hans_CN";
      var data = {
        title: this.form.find("[name=title]").val() || "",
        notes: this.form.find("[name=notes]").val() || "",
        identifier: this.form.find("[name=identifier]").val() || "",
        theme: this._values("[name=theme]"),
        data_items: this._values("input[name^=data_items-][name$=-name]"),
        lang: lang
      };
      $.ajax({
        url: this.sandbox.client.url("/api/3/action/guangdong_safety_negative_list_check"),
        data: data, traditional: true, dataType: "json"
      }).done(function (answer) { self._show(answer.result.messages); });
    },
    _show: function (messages) {
      var open = this.form.find("[name=access_rights]").val();
      if (messages.length && open !== "not_open") {
        this.message.text(messages.join(" ")).show();
      } else {
        this.message.text("").hide();
      }
    }
  };
});
