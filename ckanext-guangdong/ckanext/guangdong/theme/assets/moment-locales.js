/* CKAN sets moment's locale from <html lang> ("zh-Hans-CN"), a name moment does not know, so
   dates written by CKAN's JavaScript (automatic-local-datetime) came out in English. The
   offered BCP 47 names become aliases of moment's own locales. */
(function (moment) {
  if (!moment || !moment.defineLocale) { return; }
  var aliases = { "zh-hans-cn": "zh-cn", "zh-hans": "zh-cn" };
  Object.keys(aliases).forEach(function (name) {
    if (moment.locales().indexOf(name) === -1) {
      moment.defineLocale(name, { parentLocale: aliases[name] });
    }
  });
  moment.locale("en");  // defineLocale switches the global locale; CKAN sets it per page
})(window.moment);
