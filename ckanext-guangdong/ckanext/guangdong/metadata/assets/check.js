/* As-you-type checks on the dataset form: after a short pause the value goes to the
   guangdong_check_field action, which runs the same validators as saving does, and its message
   (in the page's language) appears under the field. Saving still validates everything. */
ckan.module("guangdong-check", function ($) {
  return {
    options: { field: null, id: "" },
    initialize: function () {
      $.proxyAll(this, /_on/);
      this.timer = null;
      this.message = $('<div class="error-block guangdong-check" aria-live="polite"></div>').hide();
      this.el.after(this.message);
      this.el.on("input change", this._onInput);
    },
    _onInput: function () {
      clearTimeout(this.timer);
      this.timer = setTimeout(this._onCheck, 400);
    },
    _onCheck: function () {
      var value = this.el.val();
      var self = this;
      if (!value) { this._show([]); return; }
      var lang = $("html").attr("lang") === "en" ? "en" : "zh_Hans_CN";
      $.ajax({
        url: this.sandbox.client.url("/api/3/action/guangdong_check_field"),
        // on the edit form the dataset's id is in the hidden pkg_name input
        data: { field: this.options.field, value: value, lang: lang,
                id: this.options.id || $("input[name=pkg_name]").val() || "" },
        dataType: "json"
      }).done(function (answer) { self._show(answer.result.errors); });
    },
    _show: function (errors) {
      var group = this.el.closest(".form-group, .control-group");
      if (errors.length) {
        this.message.text(errors.join(" ")).show();
        group.addClass("error has-error");
      } else {
        this.message.text("").hide();
        group.removeClass("error has-error");
      }
    }
  };
});
